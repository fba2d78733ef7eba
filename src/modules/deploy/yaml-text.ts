import { Document } from 'yaml';

export interface YamlDoc {
  /** Lines above the document, without "# ". */
  comment?: string;
  value: unknown;
}

/** A file the generator writes: its path inside the output directory and its text. */
export interface GeneratedFile {
  path: string;
  text: string;
}

/** One or more YAML documents, `---` between them; no folding, so a diff shows what changed. */
export function yamlText(docs: readonly YamlDoc[]): string {
  return docs
    .map(({ comment, value }) => {
      const doc = new Document(value, { aliasDuplicateObjects: false });
      // On the root node, not the document: no blank line between the comment and what it describes.
      if (comment && doc.contents) {
        doc.contents.commentBefore = comment
          .split('\n')
          .map((line) => (line ? ` ${line}` : ''))
          .join('\n');
      }
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

export const HEADER = (command: string) =>
  `Written by \`${command}\` (src/modules/deploy): change the config and run it again rather than editing.`;

import { createExtractTextTool, type ExtractTextOptions } from './extract-text/extract-text.js';
import { createFetchUrlTool, type FetchUrlOptions } from './fetch-url/fetch-url.js';
import type { Tool } from './tool.js';

export interface BuiltinToolOptions {
  fetchUrl?: FetchUrlOptions;
  extractText?: ExtractTextOptions;
}

/** The tools Berth ships with, ready for `new ToolRegistry(builtinTools(options))`. */
export const builtinTools = (options: BuiltinToolOptions = {}): Tool[] => [
  createFetchUrlTool(options.fetchUrl),
  createExtractTextTool(options.extractText),
];

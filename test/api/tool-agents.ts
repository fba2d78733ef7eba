import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FixtureServer, startFixtureServer } from '../../src/modules/tools/testdata/fixture-server.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai-server.js';

export interface ToolAgentsWorld {
  berth: BerthInstance;
  /** The model: a fake OpenAI-compatible server on loopback. */
  fake: FakeOpenAI;
  /** Pages for fetch_url, allow-listed through BERTH_FETCH_ALLOW. */
  pages: FixtureServer;
  close(): Promise<void>;
}

/** Steps of the `researcher` agent; its last step is offered no tools. */
export const RESEARCHER_STEPS = 3;

/**
 * A Berth whose agents call tools on a fake model: `researcher` (fetch_url and extract_text),
 * `frugal` (same tools, a tiny token budget) and `default` (no tools).
 */
export async function startToolAgents(): Promise<ToolAgentsWorld> {
  const fake = await startFakeOpenAI();
  const pages = await startFixtureServer();
  const configPath = join(tempDir('berth-tools-config-'), 'berth.yaml');
  writeFileSync(
    configPath,
    [
      'llm:',
      '  timeoutMs: 5000',
      '  maxRetries: 0',
      '  openaiCompatible:',
      `    baseUrl: ${fake.url}`,
      'agents:',
      '  - name: researcher',
      '    provider: openai-compatible',
      '    model: fake-model',
      '    systemPrompt: You answer from the pages you fetch.',
      '    tools: [fetch_url, extract_text]',
      `    maxToolSteps: ${RESEARCHER_STEPS}`,
      '  - name: frugal',
      '    provider: openai-compatible',
      '    model: fake-model',
      '    tools: [fetch_url]',
      '    tokenBudget: 100',
    ].join('\n'),
  );
  const berth = await startBerth({
    env: { BERTH_CONFIG: configPath, BERTH_FETCH_ALLOW: `127.0.0.1:${pages.port}` },
  });
  return {
    berth,
    fake,
    pages,
    async close() {
      await berth.close();
      await fake.close();
      await pages.close();
    },
  };
}

/** The tool messages the model received in one request, with their content as text. */
export function toolMessages(body: { messages?: Array<{ role: string; content: unknown }> } | undefined) {
  return (body?.messages ?? [])
    .filter((message) => message.role === 'tool')
    .map((message) =>
      typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
    );
}

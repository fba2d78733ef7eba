import { AppError } from '../../platform/errors.js';
import type { ProviderName } from '../llm/index.js';
import { type CompletionRequest, completionRequest } from './gateway.schemas.js';

/** The error of a request field Berth cannot honour: 400 naming it, so a client never relies on an ignored field. */
export const unsupportedField = (field: string, why: string): AppError =>
  new AppError('unsupported_parameter', `${field}: ${why}`, { details: { field } });

const KNOWN_FIELDS = new Set(Object.keys(completionRequest.shape));

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/** Refusals of both modes: fields no Berth model honours, and fields Berth does not know at all. */
function checkCommonFields(body: CompletionRequest): void {
  const unknown = Object.keys(body).find((field) => !KNOWN_FIELDS.has(field));
  if (unknown) throw unsupportedField(unknown, 'is not supported by Berth');
  if (isSet(body.n) && body.n !== 1) throw unsupportedField('n', 'Berth returns one choice; n must be 1');
  if (body.logprobs === true) throw unsupportedField('logprobs', 'log probabilities are not returned');
  if (isSet(body.top_logprobs)) throw unsupportedField('top_logprobs', 'log probabilities are not returned');
}

const AGENT_TOOLS =
  'a Berth agent runs its own tools server-side; to send your own tools, use a model route or a passthrough agent (GET /v1/models lists them)';

/** Agent mode honours messages, stream, the output cap and temperature; anything that would change the agent's loop is refused. */
export function checkAgentModeFields(body: CompletionRequest): void {
  checkCommonFields(body);
  for (const field of ['tools', 'tool_choice', 'parallel_tool_calls'] as const) {
    if (isSet(body[field])) throw unsupportedField(field, AGENT_TOOLS);
  }
  if (body.response_format && body.response_format.type !== 'text')
    throw unsupportedField(
      'response_format',
      'a Berth agent answers in prose; for JSON or a schema, use a model route or a passthrough agent',
    );
  for (const field of ['stop', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty'] as const) {
    if (isSet(body[field]))
      throw unsupportedField(field, 'a Berth agent uses its own model settings; use a model route to set it');
  }
  body.messages.forEach((message, index) => {
    if (message.tool_calls?.length) throw unsupportedField(`messages.${index}.tool_calls`, AGENT_TOOLS);
  });
}

type PassthroughField =
  | 'seed'
  | 'stop'
  | 'presence_penalty'
  | 'frequency_penalty'
  | 'user'
  | 'response_format.json_object';

// What each provider's AI SDK model would drop with a warning (checked in their sources): refused up front instead.
const providerGaps: Partial<Record<ProviderName, Partial<Record<PassthroughField, string>>>> = {
  anthropic: {
    seed: 'Anthropic takes no seed',
    presence_penalty: 'Anthropic takes no presence penalty',
    frequency_penalty: 'Anthropic takes no frequency penalty',
    'response_format.json_object': 'Anthropic needs a schema: use json_schema',
  },
  google: { user: 'Gemini takes no end-user id' },
  ollama: {
    seed: 'not passed on by the Ollama provider',
    stop: 'not passed on by the Ollama provider',
    presence_penalty: 'not passed on by the Ollama provider',
    frequency_penalty: 'not passed on by the Ollama provider',
    user: 'Ollama takes no end-user id',
  },
};

/** Passthrough honours what the provider does; the rest is refused naming the field and the provider. */
export function checkPassthroughFields(body: CompletionRequest, provider: ProviderName): void {
  checkCommonFields(body);
  const gaps = providerGaps[provider] ?? {};
  const present: Record<PassthroughField, boolean> = {
    seed: isSet(body.seed),
    stop: isSet(body.stop),
    presence_penalty: isSet(body.presence_penalty),
    frequency_penalty: isSet(body.frequency_penalty),
    user: isSet(body.user),
    'response_format.json_object': body.response_format?.type === 'json_object',
  };
  for (const [field, why] of Object.entries(gaps) as Array<[PassthroughField, string]>) {
    if (present[field]) throw unsupportedField(field.split('.')[0] ?? field, `${why} (provider ${provider})`);
  }
  if (body.parallel_tool_calls === false && (provider === 'google' || provider === 'ollama'))
    throw unsupportedField(
      'parallel_tool_calls',
      `provider ${provider} cannot be told to call one tool at a time`,
    );
  if (body.tool_choice && !body.tools?.length)
    throw unsupportedField('tool_choice', 'names a choice among tools, but the request sends none');
}

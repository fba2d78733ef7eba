import type {
  JSONSchema7,
  LanguageModelV4CallOptions,
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4ToolChoice,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';
import { AppError } from '../../platform/errors.js';
import type { ProviderName } from '../llm/index.js';
import type { CompletionMessage, CompletionRequest } from './gateway.schemas.js';
import { unsupportedField } from './request-fields.js';

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field} ${message}`, { details: [{ field, message }] });

/** Text of a message; a part other than text is refused (images and audio are not forwarded yet). */
function textOf(content: CompletionMessage['content'], at: string): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part, index) => {
      if (part.type !== 'text' || typeof part.text !== 'string')
        throw unsupportedField(
          `${at}.content.${index}.type`,
          `"${part.type}" parts are not forwarded; send text`,
        );
      return part.text;
    })
    .join('');
}

// Arguments the client sends back are JSON text; a provider wants the value (and re-encodes it).
function parsedArguments(text: string, at: string): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw invalid(at, 'is not JSON');
  }
}

function assistantMessage(message: CompletionMessage, at: string): LanguageModelV4Message {
  const text = textOf(message.content, at);
  const calls = (message.tool_calls ?? []).map((call, index) => ({
    type: 'tool-call' as const,
    toolCallId: call.id,
    toolName: call.function.name,
    input: parsedArguments(call.function.arguments, `${at}.tool_calls.${index}.function.arguments`),
  }));
  return { role: 'assistant', content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls] };
}

function toolMessage(
  message: CompletionMessage,
  at: string,
  callNames: Map<string, string>,
): LanguageModelV4Message {
  if (!message.tool_call_id) throw invalid(`${at}.tool_call_id`, 'is required on a tool message');
  const toolName = callNames.get(message.tool_call_id) ?? message.name;
  if (!toolName) throw invalid(`${at}.tool_call_id`, 'answers no tool call of an earlier assistant message');
  const value = textOf(message.content, at);
  return {
    role: 'tool',
    content: [
      { type: 'tool-result', toolCallId: message.tool_call_id, toolName, output: { type: 'text', value } },
    ],
  };
}

/** OpenAI messages as the AI SDK's prompt; a tool result is matched to the call it answers by id. */
export function toPrompt(messages: CompletionMessage[]): LanguageModelV4Message[] {
  const callNames = new Map<string, string>();
  return messages.map((message, index): LanguageModelV4Message => {
    const at = `messages.${index}`;
    if (message.name !== undefined && message.role !== 'tool')
      throw unsupportedField(`${at}.name`, 'participant names are not forwarded');
    if (message.role === 'tool') return toolMessage(message, at, callNames);
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);
      return assistantMessage(message, at);
    }
    if (message.role === 'user')
      return { role: 'user', content: [{ type: 'text', text: textOf(message.content, at) }] };
    return { role: 'system', content: textOf(message.content, at) };
  });
}

const EMPTY_PARAMETERS: JSONSchema7 = { type: 'object', properties: {} };

function toTools(body: CompletionRequest): LanguageModelV4FunctionTool[] | undefined {
  if (!body.tools?.length) return undefined;
  return body.tools.map(({ function: fn }) => ({
    type: 'function',
    name: fn.name,
    ...(fn.description ? { description: fn.description } : {}),
    inputSchema: (fn.parameters as JSONSchema7 | undefined) ?? EMPTY_PARAMETERS,
    ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
  }));
}

function toToolChoice(choice: CompletionRequest['tool_choice']): LanguageModelV4ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return { type: choice };
  return { type: 'tool', toolName: choice.function.name };
}

function toResponseFormat(
  format: CompletionRequest['response_format'],
): LanguageModelV4CallOptions['responseFormat'] {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  const { name, description, schema } = format.json_schema;
  return {
    type: 'json',
    name,
    ...(description ? { description } : {}),
    ...(schema ? { schema: schema as JSONSchema7 } : {}),
  };
}

// Options only some providers take, under each provider's own key (the AI SDK's providerOptions).
function providerOptionsOf(body: CompletionRequest, provider: ProviderName): SharedV4ProviderOptions {
  const strict =
    body.response_format?.type === 'json_schema'
      ? (body.response_format.json_schema.strict ?? false)
      : undefined;
  const parallel = body.parallel_tool_calls ?? undefined;
  switch (provider) {
    case 'openai':
      return {
        openai: {
          ...(body.user ? { user: body.user } : {}),
          ...(strict !== undefined ? { strictJsonSchema: strict } : {}),
          ...(parallel !== undefined ? { parallelToolCalls: parallel } : {}),
        },
      };
    case 'openai-compatible':
      return {
        openaiCompatible: {
          ...(body.user ? { user: body.user } : {}),
          ...(strict !== undefined ? { strictJsonSchema: strict } : {}),
          // Not an option of the provider: it passes unknown keys on as request fields.
          ...(parallel !== undefined ? { parallel_tool_calls: parallel } : {}),
        },
      };
    case 'anthropic':
      return {
        anthropic: {
          ...(body.user ? { metadata: { userId: body.user } } : {}),
          ...(parallel === false ? { disableParallelToolUse: true } : {}),
        },
      };
    default:
      return {};
  }
}

export interface CallLimits {
  /** The route's (or agent's) cap: the default, and the most a request may ask for. */
  maxOutputTokens: number;
  temperature?: number;
}

/** The whole request as AI SDK call options (the caller adds the call context and the abort signal). */
export function toCallOptions(
  body: CompletionRequest,
  provider: ProviderName,
  limits: CallLimits,
): LanguageModelV4CallOptions {
  const requested = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (requested !== undefined && requested > limits.maxOutputTokens) {
    const field = body.max_completion_tokens ? 'max_completion_tokens' : 'max_tokens';
    throw unsupportedField(field, `this model allows at most ${limits.maxOutputTokens} output tokens`);
  }
  const stop = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined);
  const options: LanguageModelV4CallOptions = {
    prompt: toPrompt(body.messages),
    maxOutputTokens: requested ?? limits.maxOutputTokens,
    temperature: body.temperature ?? limits.temperature,
    topP: body.top_p ?? undefined,
    stopSequences: stop?.length ? stop : undefined,
    seed: body.seed ?? undefined,
    presencePenalty: body.presence_penalty ?? undefined,
    frequencyPenalty: body.frequency_penalty ?? undefined,
    tools: toTools(body),
    toolChoice: toToolChoice(body.tool_choice),
    responseFormat: toResponseFormat(body.response_format),
    providerOptions: providerOptionsOf(body, provider),
  };
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as LanguageModelV4CallOptions;
}

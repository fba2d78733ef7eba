import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { AppError } from '../../platform/errors.js';
import type { CompletionRequest } from './gateway.schemas.js';

/** Checks the model's final text against the request's response_format; undefined when there is none. */
export type OutputCheck = (text: string) => AppError | undefined;

const DRAFT_2020 = /json-schema\.org\/draft\/2020-12\/schema/;
const MAX_REPORTED_ERRORS = 5;

const invalidOutput = (message: string, details: Record<string, unknown>) =>
  new AppError('model_output_invalid', message, { details });

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Compiled before the call, so a schema that is not one is the client's 400, not a provider bill.
 * Not strict: OpenAI's schemas carry keywords (formats, `strict` hints) Ajv's strict mode refuses.
 */
function compile(schema: Record<string, unknown>): ValidateFunction {
  const ajv = DRAFT_2020.test(String(schema.$schema ?? ''))
    ? new Ajv2020({ allErrors: true, strict: false })
    : new Ajv({ allErrors: true, strict: false });
  try {
    return ajv.compile(schema);
  } catch (error) {
    const field = 'response_format.json_schema.schema';
    throw new AppError(
      'validation_failed',
      `${field} is not a valid JSON Schema: ${(error as Error).message}`,
      {
        details: [{ field, message: 'is not a valid JSON Schema' }],
      },
    );
  }
}

export function outputCheckFor(format: CompletionRequest['response_format']): OutputCheck | undefined {
  if (!format || format.type === 'text') return undefined;
  const schema = format.type === 'json_schema' ? format.json_schema.schema : undefined;
  const validate = schema ? compile(schema) : undefined;
  return (text) => {
    const parsed = parseJson(text);
    if (!parsed.ok)
      return invalidOutput('the model did not answer with JSON, which response_format asks for', {
        response_format: format.type,
      });
    if (
      format.type === 'json_object' &&
      (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value))
    )
      return invalidOutput('the model answered JSON that is not an object, which json_object asks for', {
        response_format: format.type,
      });
    if (validate && !validate(parsed.value)) {
      const errors = (validate.errors ?? [])
        .slice(0, MAX_REPORTED_ERRORS)
        .map((e) => `${e.instancePath || '(the whole value)'} ${e.message ?? 'is not valid'}`);
      return invalidOutput(`the model's answer does not match the schema: ${errors.join('; ')}`, {
        response_format: format.type,
        schema_errors: errors,
      });
    }
    return undefined;
  };
}

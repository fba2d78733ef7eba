// autoscaling.k8s.io/v1 VerticalPodAutoscaler, for the offline schema check (schemas.ts beside it). No npm package
// ships the VPA CRD's schema (kubernetes-models and @kubernetes-models/* have no autoscaling.k8s.io), so
// this one is written from the v1 API's fields (kubernetes/autoscaler, vertical-pod-autoscaler
// pkg/apis/autoscaling.k8s.io/v1/types.go): the spec and everything under it, with no unknown field
// allowed, so a misspelt key fails here instead of being pruned by the API server in silence.
import { Ajv } from 'ajv';

const quantity = {
  anyOf: [
    { type: 'integer' },
    {
      type: 'string',
      pattern: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$',
    },
  ],
};
const resourceList = { type: 'object', additionalProperties: quantity };
const strict = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

const schema = strict(
  {
    apiVersion: { const: 'autoscaling.k8s.io/v1' },
    kind: { const: 'VerticalPodAutoscaler' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
    spec: strict(
      {
        targetRef: strict(
          {
            apiVersion: { type: 'string' },
            kind: { type: 'string', minLength: 1 },
            name: { type: 'string', minLength: 1 },
          },
          ['kind', 'name'],
        ),
        updatePolicy: strict({
          updateMode: { enum: ['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate', 'Auto'] },
          minReplicas: { type: 'integer', minimum: 1 },
          evictionRequirements: {
            type: 'array',
            items: strict(
              {
                resources: { type: 'array', items: { type: 'string' } },
                changeRequirement: { enum: ['TargetHigherThanRequests', 'TargetLowerThanRequests'] },
              },
              ['resources', 'changeRequirement'],
            ),
          },
        }),
        resourcePolicy: strict({
          containerPolicies: {
            type: 'array',
            items: strict({
              containerName: { type: 'string', minLength: 1 },
              mode: { enum: ['Auto', 'Off'] },
              minAllowed: resourceList,
              maxAllowed: resourceList,
              controlledResources: { type: 'array', items: { enum: ['cpu', 'memory'] } },
              controlledValues: { enum: ['RequestsAndLimits', 'RequestsOnly'] },
            }),
          },
        }),
        recommenders: {
          type: 'array',
          maxItems: 1,
          items: strict({ name: { type: 'string', minLength: 1 } }, ['name']),
        },
      },
      ['targetRef'],
    ),
    status: { type: 'object' },
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** A model-like class, as schemas.ts loads them: `new VerticalPodAutoscaler(object).validate()` throws on a problem. */
export class VerticalPodAutoscaler {
  constructor(private readonly data: unknown) {}
  validate(): void {
    if (validate(this.data)) return;
    throw Object.assign(new Error('VerticalPodAutoscaler is invalid'), { errors: validate.errors ?? [] });
  }
}

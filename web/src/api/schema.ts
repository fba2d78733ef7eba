/**
 * Generated from Berth's OpenAPI document (GET /api/openapi.json) by scripts/openapi.ts with
 * openapi-typescript. Do not edit: change the routes' zod schemas and run `npm run api-types`.
 * test/ui/api-types.test.ts fails when this file is out of date.
 */

/** OneOf type helpers */
type Without<T, U> = { [P in Exclude<keyof T, keyof U>]?: never };
type XOR<T, U> = T | U extends object ? (Without<T, U> & U) | (Without<U, T> & T) : T | U;
type OneOf<T extends any[]> = T extends [infer Only]
  ? Only
  : T extends [infer A, infer B, ...infer Rest]
    ? OneOf<[XOR<A, B>, ...Rest]>
    : never;

export interface paths {
  '/healthz': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ok';
              version: string;
            };
          };
        };
      };
    };
  };
  '/health': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ok';
              version: string;
            };
          };
        };
      };
    };
  };
  '/readyz': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                name: string;
                ok: boolean;
                /** @description why the check failed */
                error?: string;
                /** @description true when the check passes but something it watches is down (the pod stays ready) */
                degraded?: boolean;
                /** @description what the check saw, e.g. a circuit state and the agents using it */
                detail?: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                name: string;
                ok: boolean;
                /** @description why the check failed */
                error?: string;
                /** @description true when the check passes but something it watches is down (the pod stays ready) */
                degraded?: boolean;
                /** @description what the check saw, e.g. a circuit state and the agents using it */
                detail?: string;
              }[];
            };
          };
        };
      };
    };
  };
  '/ready': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                name: string;
                ok: boolean;
                /** @description why the check failed */
                error?: string;
                /** @description true when the check passes but something it watches is down (the pod stays ready) */
                degraded?: boolean;
                /** @description what the check saw, e.g. a circuit state and the agents using it */
                detail?: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'ready' | 'not_ready';
              checks: {
                name: string;
                ok: boolean;
                /** @description why the check failed */
                error?: string;
                /** @description true when the check passes but something it watches is down (the pod stays ready) */
                degraded?: boolean;
                /** @description what the check saw, e.g. a circuit state and the agents using it */
                detail?: string;
              }[];
            };
          };
        };
      };
    };
  };
  '/startupz': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'started' | 'starting';
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              /** @enum {string} */
              status: 'started' | 'starting';
            };
          };
        };
      };
    };
  };
  '/api/me': {
    /** @description The caller: tenant, user and role. */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              tenant_id: string;
              user_id: string;
              role: string;
              /** @enum {string} */
              via: 'key' | 'token' | 'session' | 'local' | 'anonymous';
              auth_required: boolean;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tenants': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              tenants: {
                id: string;
                name: string;
                created_at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Creates a tenant (the operator only: the CLI, or the local admin token). */
    post: {
      requestBody: {
        content: {
          'application/json': {
            id: string;
            name?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              name: string;
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tenants/{tenant}/users': {
    get: {
      parameters: {
        path: {
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              users: {
                user_id: string;
                /** @enum {string} */
                role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
                created_at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Adds a user to the tenant with a role, or changes its role. Nobody grants a role above its own. */
    post: {
      parameters: {
        path: {
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            user_id: string;
            /** @enum {string} */
            role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              user_id: string;
              /** @enum {string} */
              role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tenants/{tenant}/keys': {
    get: {
      parameters: {
        path: {
          tenant: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              keys: {
                id: string;
                name: string;
                /** @enum {string} */
                role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
                user_id: string | null;
                prefix: string;
                created_at: string;
                revoked_at: string | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Creates an API key; `key` is shown in this answer only. With `user_id` the key acts as that member (role at most its role); without, as itself. */
    post: {
      parameters: {
        path: {
          tenant: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            /** @enum {string} */
            role?: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
            user_id?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              name: string;
              /** @enum {string} */
              role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
              user_id: string | null;
              prefix: string;
              created_at: string;
              revoked_at: string | null;
              key: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tenants/{tenant}/keys/{key}/revoke': {
    /** @description Revokes the one active key whose id or key starts with `:key`. */
    post: {
      parameters: {
        path: {
          tenant: string;
          key: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              name: string;
              /** @enum {string} */
              role: 'viewer' | 'member' | 'operator' | 'admin' | 'owner';
              user_id: string | null;
              prefix: string;
              created_at: string;
              revoked_at: string | null;
              active_keys_left: number;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/auth/config': {
    /** @description Whether browsers can sign in with an OpenID provider; the UI asks before anyone signs in. */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              oidc: boolean;
              provider_name?: string;
              sign_in_url?: string;
            };
          };
        };
      };
    };
  };
  '/api/agents': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              agents: {
                name: string;
                description?: string;
                provider: string;
                model: string;
                version: string;
                history_window: number;
                max_output_tokens: number;
                token_budget: number;
                tools: string[];
                max_tool_steps: number;
              }[];
            };
          };
        };
      };
    };
  };
  '/api/chat': {
    /** @description One chat turn, with the agent's tool loop when it has tools. With `Accept: text/event-stream` the answer streams as SSE: `start`, then `token` (`{delta}`), `tool_call` (`{id, tool, input}`, input previewed) and `tool_result` (`{id, tool, ok, error?}`; for a side-effecting tool also `approval_id` and `task_id`: it did not run, it waits for approval) as they happen, then `done` with the same fields as the JSON reply (or `error`). `approvals` lists the actions the turn proposed: each a task waiting for an operator to approve exactly its `arguments`. */
    post: {
      requestBody: {
        content: {
          'application/json': {
            message: string;
            user_id?: string;
            /** Format: uuid */
            conversation_id?: string;
            agent?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              conversation_id: string;
              message_id: string;
              response: string;
              model: string;
              agent_version: string;
              usage: {
                input_tokens: number;
                output_tokens: number;
                cost_usd: number;
              };
              approvals: {
                approval_id: string | null;
                task_id: string;
                tool: string;
                arguments: {
                  [key: string]: unknown;
                };
                args_hash: string;
              }[];
              request_id: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        429: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        502: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        504: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/chat/history/{user_id}': {
    get: {
      parameters: {
        query?: {
          limit?: number;
        };
        path: {
          user_id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              messages: {
                /** @enum {string} */
                role: 'user' | 'assistant';
                content: string;
                conversation_id: string;
                created_at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/conversations': {
    /** @description A user's conversations, most recently active first; `title` is the first user message (cut to 120 characters). Without `user_id`: the caller's own. */
    get: {
      parameters: {
        query?: {
          user_id?: string;
          limit?: number;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              conversations: {
                id: string;
                agent: string;
                title: string | null;
                tokens_used: number;
                created_at: string;
                updated_at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/conversations/{id}': {
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              messages: {
                /** @enum {string} */
                role: 'user' | 'assistant';
                content: string;
                conversation_id: string;
                created_at: string;
              }[];
              id: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/v1/agent/infer': {
    /** @description Asks the agent named by `workflow` one question and returns its answer, with the tool calls it rests on (`evidence`: for fetch_url the final URL, otherwise the tool call id) and the agent version (`policy_version`). Stateless: no conversation is stored and `user_id` is not kept. `request_id` echoes yours, else the x-request-id. When the workflow reaches a side-effecting tool it does not run: the answer has `approval_required: true`, `status: awaiting_approval`, `approval_request_id`, `task_id` and the `proposed_action` (tool, exact arguments, args_hash), a task waiting for an operator. `tenant_id`, when given, must be your own tenant (else 403 forbidden). */
    post: {
      requestBody: {
        content: {
          'application/json': {
            request_id?: string;
            tenant_id?: string;
            user_id: string;
            workflow: string;
            input: {
              text: string;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              request_id: string;
              /** @enum {string} */
              status: 'completed' | 'awaiting_approval';
              approval_required: boolean;
              approval_request_id?: string | null;
              task_id?: string;
              proposed_action?: {
                tool: string;
                arguments: {
                  [key: string]: unknown;
                };
                args_hash: string;
              };
              proposed_actions?: {
                tool: string;
                arguments: {
                  [key: string]: unknown;
                };
                args_hash: string;
                approval_request_id: string | null;
                task_id: string;
              }[];
              answer: string;
              evidence: {
                /** @enum {string} */
                type: 'tool';
                tool: string;
                ref: string;
              }[];
              policy_version: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        429: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        502: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        504: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/v1/models': {
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              object: 'list';
              data: {
                id: string;
                /** @enum {string} */
                object: 'model';
                created: number;
                owned_by: string;
              }[];
            };
          };
        };
      };
    };
  };
  '/v1/chat/completions': {
    /** @description OpenAI-compatible chat completions. `model` names a Berth agent, whose own tools run server-side (only the final text is returned; client tools and response_format are refused), or a model route or passthrough agent, which forwards the request with its tools and response_format to the provider (docs/gateway.md). Stateless: the client sends the history. */
    post: {
      requestBody: {
        content: {
          'application/json': {
            model: string;
            messages: {
              /** @enum {string} */
              role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
              content?:
                | (
                    | string
                    | {
                        type: string;
                        [key: string]: unknown;
                      }[]
                  )
                | null;
              name?: string;
              tool_calls?: {
                id: string;
                /** @enum {string} */
                type: 'function';
                function: {
                  name: string;
                  arguments: string;
                };
              }[];
              tool_call_id?: string;
              refusal?: string | null;
              [key: string]: unknown;
            }[];
            stream?: boolean | null;
            stream_options?: {
              include_usage?: boolean;
              [key: string]: unknown;
            } | null;
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            seed?: number | null;
            presence_penalty?: number | null;
            frequency_penalty?: number | null;
            user?: string;
            tools?: {
              /** @enum {string} */
              type: 'function';
              function: {
                name: string;
                description?: string;
                parameters?: {
                  [key: string]: unknown;
                };
                strict?: boolean | null;
              };
            }[];
            tool_choice?:
              | ('none' | 'auto' | 'required')
              | {
                  /** @enum {string} */
                  type: 'function';
                  function: {
                    name: string;
                  };
                };
            parallel_tool_calls?: boolean | null;
            response_format?: OneOf<
              [
                {
                  /** @enum {string} */
                  type: 'text';
                },
                {
                  /** @enum {string} */
                  type: 'json_object';
                },
                {
                  /** @enum {string} */
                  type: 'json_schema';
                  json_schema: {
                    name: string;
                    description?: string;
                    schema?: {
                      [key: string]: unknown;
                    };
                    strict?: boolean | null;
                  };
                },
              ]
            >;
            n?: number | null;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
            [key: string]: unknown;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              /** @enum {string} */
              object: 'chat.completion';
              created: number;
              model: string;
              system_fingerprint: string;
              choices: {
                index: number;
                message: {
                  /** @enum {string} */
                  role: 'assistant';
                  content: string | null;
                  /** @enum {string|null} */
                  refusal: null;
                  tool_calls?: {
                    id: string;
                    /** @enum {string} */
                    type: 'function';
                    function: {
                      name: string;
                      arguments: string;
                    };
                  }[];
                };
                /** @enum {string|null} */
                logprobs: null;
                /** @enum {string} */
                finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
              }[];
              usage: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
                cost_usd: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        429: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        502: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        504: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/v1/embeddings': {
    /** @description OpenAI-compatible embeddings; `model` names a model route of type embedding (GET /v1/models lists them). */
    post: {
      requestBody: {
        content: {
          'application/json': {
            model: string;
            input: string | string[];
            /** @enum {string} */
            encoding_format?: 'float' | 'base64';
            dimensions?: number;
            user?: string;
            [key: string]: unknown;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              /** @enum {string} */
              object: 'list';
              model: string;
              data: {
                /** @enum {string} */
                object: 'embedding';
                index: number;
                embedding: number[] | string;
              }[];
              usage: {
                prompt_tokens: number;
                total_tokens: number;
                cost_usd: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        429: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        502: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        503: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        504: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tasks': {
    /** @description The caller's tasks, newest first; an operator's or admin's: every user's unless `user_id` names one. */
    get: {
      parameters: {
        query?: {
          user_id?: string;
          status?: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
          limit?: number;
          cursor?: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              tasks: {
                task_id: string;
                /** @enum {string} */
                status: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
                title: string;
                description: string;
                user_id: string;
                agent: string;
                agent_version: string;
                result: string | null;
                error: unknown;
                /** @enum {string} */
                planner: 'model' | 'rule' | 'explicit';
                planner_note: string | null;
                created_at: string;
                updated_at: string;
                finished_at: string | null;
              }[];
              next_cursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Plans a task and queues its steps; with `steps`, runs that explicit plan instead (validated like a planned one: 400 naming the step and field). With an `Idempotency-Key` header a retried request returns the first task. */
    post: {
      parameters: {
        header?: {
          'idempotency-key'?: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            description: string;
            title?: string;
            user_id?: string;
            agent?: string;
            /** @description An explicit plan (at most 20 steps) that replaces the planner */
            steps?: {
              key: string;
              tool: string;
              /** @description The tool input; {"$from": "<key>", "path": "<field>"} takes a value from an earlier step */
              input: {
                [key: string]: unknown;
              };
              /** @default [] */
              depends_on?: string[];
            }[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          content: {
            'application/json': {
              task_id: string;
              /** @enum {string} */
              status: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/task': {
    /** @description Alias of POST /api/tasks for older clients. */
    post: {
      parameters: {
        header?: {
          'idempotency-key'?: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            description: string;
            title?: string;
            user_id?: string;
            agent?: string;
            /** @description An explicit plan (at most 20 steps) that replaces the planner */
            steps?: {
              key: string;
              tool: string;
              /** @description The tool input; {"$from": "<key>", "path": "<field>"} takes a value from an earlier step */
              input: {
                [key: string]: unknown;
              };
              /** @default [] */
              depends_on?: string[];
            }[];
          };
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          content: {
            'application/json': {
              task_id: string;
              /** @enum {string} */
              status: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tasks/{id}': {
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              task_id: string;
              /** @enum {string} */
              status: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
              title: string;
              description: string;
              user_id: string;
              agent: string;
              agent_version: string;
              result: string | null;
              error: unknown;
              /** @enum {string} */
              planner: 'model' | 'rule' | 'explicit';
              planner_note: string | null;
              created_at: string;
              updated_at: string;
              finished_at: string | null;
              steps: {
                step_id: string;
                key: string;
                tool: string;
                input: {
                  [key: string]: unknown;
                };
                status: string;
                depends_on: string[];
                attempts: number;
                output: unknown;
                output_truncated: boolean;
                output_url: string | null;
                error: unknown;
                usage: {
                  input_tokens: number;
                  output_tokens: number;
                  cost_usd: number;
                };
                started_at: string | null;
                finished_at: string | null;
                duration_ms: number | null;
              }[];
              usage: {
                input_tokens: number;
                output_tokens: number;
                cost_usd: number;
              };
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tasks/{id}/steps/{step_id}/output': {
    get: {
      parameters: {
        path: {
          id: string;
          step_id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              step_id: string;
              output: unknown;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tasks/{id}/cancel': {
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              task_id: string;
              /** @enum {string} */
              status: 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/tasks/{id}/events': {
    /** @description SSE: first a `snapshot` event with the whole task, then `step.started`, `step.completed`, `step.retrying`, `step.failed`, and `task.finished`, after which the stream ends. */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        422: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/approvals': {
    /** @description The tenant's approval requests, newest first; `status` and `task` filter them. */
    get: {
      parameters: {
        query?: {
          status?: 'pending' | 'approved' | 'rejected' | 'expired';
          task?: string;
          limit?: number;
          cursor?: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              approvals: {
                approval_id: string;
                /** @enum {string} */
                status: 'pending' | 'approved' | 'rejected' | 'expired';
                task_id: string;
                step_id: string;
                tool: string;
                arguments: {
                  [key: string]: unknown;
                };
                args_hash: string;
                requested_by: string;
                request_id: string;
                agent: string;
                agent_version: string;
                four_eyes: boolean;
                expires_at: string;
                decided_by: string | null;
                decided_at: string | null;
                reason: string | null;
                created_at: string;
              }[];
              next_cursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/approvals/{id}': {
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              approval_id: string;
              /** @enum {string} */
              status: 'pending' | 'approved' | 'rejected' | 'expired';
              task_id: string;
              step_id: string;
              tool: string;
              arguments: {
                [key: string]: unknown;
              };
              args_hash: string;
              requested_by: string;
              request_id: string;
              agent: string;
              agent_version: string;
              four_eyes: boolean;
              expires_at: string;
              decided_by: string | null;
              decided_at: string | null;
              reason: string | null;
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/approvals/{id}/approve': {
    /** @description Approves the step to run with exactly the shown arguments. Send the `args_hash` you saw: another one is 409 `approval_args_changed`. Expired: 409 `approval_expired`; decided already: 409 `approval_decided`; four eyes and you asked for it: 403 `approval_needs_second_person`. */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            args_hash?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              approval_id: string;
              /** @enum {string} */
              status: 'pending' | 'approved' | 'rejected' | 'expired';
              task_id: string;
              step_id: string;
              tool: string;
              arguments: {
                [key: string]: unknown;
              };
              args_hash: string;
              requested_by: string;
              request_id: string;
              agent: string;
              agent_version: string;
              four_eyes: boolean;
              expires_at: string;
              decided_by: string | null;
              decided_at: string | null;
              reason: string | null;
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/approvals/{id}/reject': {
    /** @description Rejects the step with a reason: it fails with `approval_rejected` (not retried), and its task with it. */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      requestBody: {
        content: {
          'application/json': {
            reason: string;
            args_hash?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              approval_id: string;
              /** @enum {string} */
              status: 'pending' | 'approved' | 'rejected' | 'expired';
              task_id: string;
              step_id: string;
              tool: string;
              arguments: {
                [key: string]: unknown;
              };
              args_hash: string;
              requested_by: string;
              request_id: string;
              agent: string;
              agent_version: string;
              four_eyes: boolean;
              expires_at: string;
              decided_by: string | null;
              decided_at: string | null;
              reason: string | null;
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        409: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/mcp': {
    /** @description Not offered: /mcp is stateless (POST only). */
    get: {
      responses: {
        /** @description Default Response */
        405: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description The Model Context Protocol endpoint (Streamable HTTP, stateless): tools chat, create_task, get_task, list_tasks, cancel_task, decide_approval; resources berth://tasks/{id} and berth://conversations/{id}. Send `Accept: application/json, text/event-stream`. Members and above. */
    post: {
      requestBody: {
        content: {
          'application/json':
            | {
                /** @enum {string} */
                jsonrpc: '2.0';
                id?: string | number;
                method?: string;
                params?: {
                  [key: string]: unknown;
                };
                [key: string]: unknown;
              }
            | {
                /** @enum {string} */
                jsonrpc: '2.0';
                id?: string | number;
                method?: string;
                params?: {
                  [key: string]: unknown;
                };
                [key: string]: unknown;
              }[];
        };
      };
      responses: {
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Not offered: /mcp is stateless (POST only). */
    delete: {
      responses: {
        /** @description Default Response */
        405: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/evals': {
    /** @description The tenant's recorded `berth eval` runs, newest first, each with the agent and configuration version it ran against. */
    get: {
      parameters: {
        query?: {
          suite?: string;
          agent?: string;
          limit?: number;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              runs: {
                id: string;
                suite: string;
                agent: string;
                agent_version: string;
                config_version: string;
                berth_version: string;
                pass_rate: number | null;
                min_pass_rate: number;
                totals: {
                  cases: number;
                  passed: number;
                  failed: number;
                  skipped: number;
                };
                regressions: number;
                gate_passed: boolean;
                user_id: string;
                started_at: string;
                finished_at: string;
                created_at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
    /** @description Records a run (the JSON report `berth eval --against` wrote) against this server. The agent and configuration versions stored are this server's. */
    post: {
      requestBody: {
        content: {
          'application/json': {
            /** @enum {string} */
            format: 'berth-eval-report/1';
            suite: string;
            suite_file: string;
            description?: string;
            agent: string;
            agent_version: string | null;
            config_version: string | null;
            berth_version: string | null;
            model: string | null;
            target: string;
            /** Format: date-time */
            started_at: string;
            /** Format: date-time */
            finished_at: string;
            duration_ms: number;
            totals: {
              cases: number;
              passed: number;
              failed: number;
              skipped: number;
            };
            pass_rate: number | null;
            gate: {
              min_pass_rate: number;
              passed: boolean;
              reasons: string[];
            };
            baseline: {
              file: string;
              pass_rate: number | null;
              notes: string[];
            } | null;
            regressions: {
              case: string;
              /** @enum {string} */
              was: 'passed' | 'failed' | 'skipped';
              /** @enum {string} */
              now: 'passed' | 'failed' | 'skipped';
              reasons: string[];
            }[];
            cases: {
              id: string;
              description?: string;
              /** @enum {string} */
              kind: 'chat' | 'task';
              input: string[];
              agent: string;
              /** @enum {string} */
              status: 'passed' | 'failed' | 'skipped';
              reasons: string[];
              assertions: {
                assertion: string;
                passed: boolean;
                message: string;
              }[];
              latency_ms: number | null;
              tokens: {
                input: number;
                output: number;
              } | null;
              output: string;
              tools: {
                tool: string;
                input: unknown;
                ok: boolean;
                error?: string;
              }[];
              agent_version: string | null;
            }[];
            run_id: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          content: {
            'application/json': {
              id: string;
              suite: string;
              agent: string;
              agent_version: string;
              config_version: string;
              berth_version: string;
              pass_rate: number | null;
              min_pass_rate: number;
              totals: {
                cases: number;
                passed: number;
                failed: number;
                skipped: number;
              };
              regressions: number;
              gate_passed: boolean;
              user_id: string;
              started_at: string;
              finished_at: string;
              created_at: string;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/evals/{id}': {
    /** @description One recorded run with its cases: status, reasons, assertions, latency, tokens and output. */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              id: string;
              suite: string;
              agent: string;
              agent_version: string;
              config_version: string;
              berth_version: string;
              pass_rate: number | null;
              min_pass_rate: number;
              totals: {
                cases: number;
                passed: number;
                failed: number;
                skipped: number;
              };
              regressions: number;
              gate_passed: boolean;
              user_id: string;
              started_at: string;
              finished_at: string;
              created_at: string;
              suite_file: string;
              target: string;
              model: string | null;
              gate_reasons: string[];
              regression_cases: {
                case: string;
                /** @enum {string} */
                was: 'passed' | 'failed' | 'skipped';
                /** @enum {string} */
                now: 'passed' | 'failed' | 'skipped';
                reasons: string[];
              }[];
              cases: {
                id: string;
                description?: string;
                /** @enum {string} */
                kind: 'chat' | 'task';
                input: string[];
                agent: string;
                /** @enum {string} */
                status: 'passed' | 'failed' | 'skipped';
                reasons: string[];
                assertions: {
                  assertion: string;
                  passed: boolean;
                  message: string;
                }[];
                latency_ms: number | null;
                tokens: {
                  input: number;
                  output: number;
                } | null;
                output: string;
                tools: {
                  tool: string;
                  input: unknown;
                  ok: boolean;
                  error?: string;
                }[];
                agent_version: string | null;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        404: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/status': {
    /** @description The state of the service for the status page: readiness checks (the same as /readyz, an open circuit of a model provider among them), queue depth, agents and their versions, the model in use and its circuit breakers, the MCP servers and their state. Always 200; `ready.status` says whether it is ready, and `queue` is null (with `queue_error`) while the queue cannot be read. */
    get: {
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              version: string;
              store: {
                kind: string;
              };
              ready: {
                /** @enum {string} */
                status: 'ready' | 'not_ready';
                checks: {
                  name: string;
                  ok: boolean;
                  /** @description why the check failed */
                  error?: string;
                  /** @description true when the check passes but something it watches is down (the pod stays ready) */
                  degraded?: boolean;
                  /** @description what the check saw, e.g. a circuit state and the agents using it */
                  detail?: string;
                }[];
              };
              /** @description null when the queue could not be read; `queue_error` says why */
              queue: {
                waiting: number;
                active: number;
                delayed: number;
                failed: number;
                oldest_wait_ms: number | null;
              } | null;
              queue_error?: string;
              agents: {
                name: string;
                description?: string;
                provider: string;
                model: string;
                version: string;
              }[];
              offline_model: boolean;
              llm: {
                provider: string;
                model: string | null;
                breakers: {
                  provider: string;
                  state: string;
                }[];
              };
              /** @description the MCP servers of berth.yaml (mcp.servers) and their connections */
              mcp: {
                name: string;
                /** @enum {string} */
                transport: 'stdio' | 'http';
                /** @enum {string} */
                state: 'connecting' | 'ready' | 'restarting' | 'failed';
                last_error: string | null;
                /** @description allow-listed tools the server lists now */
                tools: number;
                /** @description their names as agents and plans use them: <server>__<tool> */
                available: string[];
                /** @description allow-listed tools the server does not list now */
                missing: string[];
                restarts: number;
                /** @description when true, /readyz fails while the server is not ready */
                required: boolean;
              }[];
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/audit': {
    /** A tenant's audit events in chain order, filtered; cursor pagination */
    get: {
      parameters: {
        query?: {
          tenant_id?: string;
          since?: string;
          until?: string;
          action?: string;
          actor?: string;
          request_id?: string;
          outcome?: 'ok' | 'denied' | 'blocked';
          cursor?: string;
          limit?: number;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              events: {
                id: number;
                tenant_id: string;
                seq: number;
                at: string;
                action: string;
                /** @enum {string} */
                outcome: 'ok' | 'denied' | 'blocked';
                blocked_by_rule: string | null;
                actor_user: string | null;
                actor_key: string | null;
                resource_type: string | null;
                resource_id: string | null;
                request_id: string | null;
                agent_version: string | null;
                config_version: string | null;
                args_hash: string | null;
                details: {
                  [key: string]: unknown;
                } | null;
                prev_hash: string;
                hash: string;
              }[];
              next_cursor: string | null;
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
  '/api/audit/chain': {
    /** The head of a tenant's chain and its signed checkpoints (what `berth audit verify` checks) */
    get: {
      parameters: {
        query?: {
          tenant_id?: string;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          content: {
            'application/json': {
              head: {
                seq: number;
                hash: string;
              } | null;
              checkpoints: {
                tenant_id: string;
                seq: number;
                hash: string;
                signature: string;
                key_id: string;
                at: string;
              }[];
            };
          };
        };
        /** @description Default Response */
        400: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        401: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
        /** @description Default Response */
        403: {
          content: {
            'application/json': {
              error: {
                code: string;
                message: string;
                details?: unknown;
                request_id: string;
              };
            };
          };
        };
      };
    };
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export type operations = Record<string, never>;

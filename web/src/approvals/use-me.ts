import { useEffect, useState } from 'react';
import { type ApiErrorInfo, getJson, networkError } from '../api/client';
import type { Me } from '../api/session';

/** The roles the server lets decide (and list) approvals: `approvals:read` and `approvals:decide`. */
const DECIDERS = new Set(['operator', 'admin', 'owner']);
export const mayDecide = (me: Me | null): boolean => me !== null && DECIDERS.has(me.role);

/** The caller (`GET /api/me`): who they are and their role in the tenant. */
export function useMe() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  useEffect(() => {
    let live = true;
    getJson<Me>('/api/me')
      .then((reply) => live && setMe(reply))
      .catch((e) => live && setError(networkError(e).info));
    return () => {
      live = false;
    };
  }, []);
  return { me, error, loading: me === null && error === null };
}

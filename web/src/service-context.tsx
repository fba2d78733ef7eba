import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { getJson } from './api/client';
import type { ServiceStatus } from './api/types';

interface ServiceState {
  status: ServiceStatus | null;
  refresh(): Promise<void>;
}

const ServiceContext = createContext<ServiceState>({ status: null, refresh: async () => {} });

/** The service's status (agents, model, readiness), loaded once and shared by every page. */
export function ServiceProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<ServiceStatus | null>(null);
  const refresh = useCallback(async () => {
    try {
      setStatus(await getJson<ServiceStatus>('/api/status'));
    } catch {
      // 401 opens the key prompt; other failures show on the pages that need the data.
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <ServiceContext.Provider value={{ status, refresh }}>{children}</ServiceContext.Provider>;
}

export const useService = () => useContext(ServiceContext);

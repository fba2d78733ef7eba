import { useEffect, useState } from 'react';
import { UNAUTHORIZED_EVENT } from './api/client';
import { clearKey, getKey } from './api/key';
import { ApprovalsPage } from './approvals/ApprovalsPage';
import { PendingCount } from './approvals/PendingCount';
import { ChatPage } from './chat/ChatPage';
import { KeyPrompt } from './components/KeyPrompt';
import { SessionBadge } from './components/SessionBadge';
import { Link, usePath } from './router';
import { ServiceProvider, useService } from './service-context';
import { StatusPage } from './status/StatusPage';
import { TaskPage } from './tasks/TaskPage';
import { TasksPage } from './tasks/TasksPage';

function Page({ path }: { path: string }) {
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  if (task?.[1]) return <TaskPage id={task[1]} />;
  if (path === '/tasks' || path === '/tasks/') return <TasksPage />;
  if (path === '/status') return <StatusPage />;
  if (path === '/approvals') return <ApprovalsPage />;
  const conversation = /^\/chat\/([^/]+)$/.exec(path);
  return <ChatPage conversationId={conversation?.[1]} />;
}

function Nav({ path, onForgetKey }: { path: string; onForgetKey?: () => void }) {
  const { status } = useService();
  const section = ['tasks', 'approvals', 'status'].find((name) => path.startsWith(`/${name}`)) ?? 'chat';
  const item = (name: string, href: string, label: string, extra?: React.ReactNode) => (
    <Link href={href} className="nav-link" aria-current={section === name ? 'page' : undefined}>
      {label}
      {extra}
    </Link>
  );
  return (
    <header className="topbar">
      <Link href="/chat" className="brand" aria-label="Berth, new chat">
        <img src="/favicon.svg" alt="" width="22" height="22" />
        <span>Berth</span>
      </Link>
      <nav aria-label="Main">
        {item('chat', '/chat', 'Chat')}
        {item('tasks', '/tasks', 'Tasks')}
        {item('approvals', '/approvals', 'Approvals', <PendingCount />)}
        {item('status', '/status', 'Status')}
      </nav>
      <div className="topbar-end">
        <SessionBadge />
        {status?.offline_model && (
          <Link
            href="/status"
            className="pill pill-warn"
            title="Answers come from the built-in offline model"
          >
            Offline model
          </Link>
        )}
        {onForgetKey && (
          <button type="button" className="ghost small" onClick={onForgetKey}>
            Forget key
          </button>
        )}
      </div>
    </header>
  );
}

export function App() {
  const path = usePath();
  const [session, setSession] = useState(0);
  const [prompt, setPrompt] = useState<{ rejected: boolean } | null>(null);
  useEffect(() => {
    const onUnauthorized = () => setPrompt({ rejected: getKey() !== null });
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);
  const forgetKey = () => {
    clearKey();
    setSession((n) => n + 1);
  };
  return (
    // A new key remounts everything, so every page reloads its data with it.
    <ServiceProvider key={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Nav path={path} onForgetKey={getKey() ? forgetKey : undefined} />
      <main id="main" className="main">
        <Page path={path} />
      </main>
      {prompt && (
        <KeyPrompt
          rejected={prompt.rejected}
          onAccepted={() => {
            setPrompt(null);
            setSession((n) => n + 1);
          }}
        />
      )}
    </ServiceProvider>
  );
}

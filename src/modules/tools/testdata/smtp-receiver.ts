import { SMTPServer } from 'smtp-server';

/** One mail as the server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** Header names lower-cased; folded lines joined. */
  headers: Record<string, string>;
  body: string;
  raw: string;
  /** The user that authenticated, if any. */
  user?: string;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** AUTH attempts, whether they succeeded or not. */
  logins: Array<{ user: string; ok: boolean }>;
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** When set, AUTH is required and only these credentials pass. */
  credentials?: { user: string; pass: string };
  /** Recipients answered with this SMTP code (e.g. 550, 451). */
  refuse?: Record<string, number>;
  /** Port on 127.0.0.1. Default: any free one. */
  port?: number;
  /** Called with each mail as it is accepted. */
  onMail?: (mail: ReceivedMail) => void;
}

function parse(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(split + 4) };
}

/** A loopback SMTP server (smtp-server, no TLS) that keeps every mail it accepts. */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const logins: SmtpReceiver['logins'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: !options.credentials,
    logger: false,
    onAuth(auth, _session, callback) {
      const expected = options.credentials;
      const passed =
        expected !== undefined && auth.username === expected.user && auth.password === expected.pass;
      logins.push({ user: auth.username ?? '', ok: passed });
      if (!passed) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.[address.address];
      if (!code) return callback();
      callback(Object.assign(new Error(`mailbox ${address.address} refused`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          ...parse(raw),
          raw,
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        mails.push(mail);
        options.onMail?.(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

import { connect, type Socket } from 'node:net';

/** One HTTP response read off a raw socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Parses the first HTTP/1.1 response in `text` (Content-Length framing, which is all Berth's errors use). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const rest = Buffer.from(text.slice(end + 4), 'latin1');
  const body = (length === undefined ? rest : rest.subarray(0, length)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/** Opens a socket to `baseUrl`'s host and port. */
export async function openRaw(baseUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Everything the server sends on `socket` until it closes the connection (or `timeoutMs` passes). */
export function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that answers and then resets (or destroys) the connection still counts as closed.
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/**
 * Sends `request` byte for byte (latin1, so any octet can be written) on a new connection and reads
 * the one response the server gives before closing it.
 */
export async function sendRaw(baseUrl: string, request: string | Buffer): Promise<RawResponse> {
  const socket = await openRaw(baseUrl);
  const closed = readUntilClosed(socket);
  socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
  return parseRawResponse(await closed);
}

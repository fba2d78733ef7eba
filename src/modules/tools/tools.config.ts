import { z } from 'zod';
import { hostPortList } from '../../platform/config/index.js';

// smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the first byte); user and
// password, when the server wants them, go in the URL, which comes from a secret.
const isSmtpUrl = (value: string) =>
  URL.canParse(value) && /^smtps?:$/.test(new URL(value).protocol) && new URL(value).hostname !== '';
const smtpUrl = z.string().min(1).refine(isSmtpUrl, 'must be an smtp:// or smtps:// URL naming a host');

// An RFC 5322 address or "Name <address>"; nodemailer parses it, this keeps a typo a config error.
const fromAddress = z
  .string()
  .max(320)
  .regex(
    /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
    'must be an address or "Name <address>"',
  );

/** The `tools` section of berth.yaml: what the built-in tools may reach. */
export const toolsSection = z
  .strictObject({
    /** host:port entries fetch_url may reach whatever their address (test fixtures, intranet pages). Default none. */
    fetchAllow: hostPortList.default([]),
    /** host:port entries http_post may post to; nothing else is reachable. Default none (http_post refuses every URL). */
    webhookAllow: hostPortList.default([]),
    smtp: z
      .strictObject({
        /** smtp://user:pass@host:587 or smtps://…:465; without it send_email is not registered. */
        url: smtpUrl.optional(),
        /** The From of every mail send_email sends. Default berth@localhost. */
        from: fromAddress.default('berth@localhost'),
      })
      .prefault({}),
  })
  .prefault({});

export type ToolsConfig = z.output<typeof toolsSection>;

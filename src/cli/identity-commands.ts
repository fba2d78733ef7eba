import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../app/config.js';
import {
  DEFAULT_TENANT,
  LOCAL_USER,
  type Role,
  roles,
  tenantSlug,
  userIdSchema,
} from '../modules/identity/index.js';
import { type IdentityClient, type KeyView, openIdentityClient } from './identity-client.js';

export interface IdentityCommandContext {
  config(): Config;
  out(line: string): void;
}

const zodArgument =
  (schema: typeof tenantSlug | typeof userIdSchema, what: string) =>
  (value: string): string => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new InvalidArgumentError(`${what} ${parsed.error.issues[0]?.message ?? 'is not valid'}.`);
  };
const slug = zodArgument(tenantSlug, 'a tenant slug is');
const userId = zodArgument(userIdSchema, 'a user id');
const keyPrefix = (value: string) => {
  // The admin API takes 4-200 characters; the direct path refuses the same, so both behave alike.
  if (value.length < 4 || value.length > 200) throw new InvalidArgumentError('give 4 to 200 characters.');
  return value;
};

const roleOption = (flags: string, description: string) => new Option(flags, description).choices(roles);
const tenantOption = () =>
  new Option('-t, --tenant <slug>', 'the tenant').default(DEFAULT_TENANT).argParser(slug);

/** Aligned columns, two spaces apart; the last column is not padded. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** When others see a key change: the server the change went through at once, other servers on Postgres within the key index refresh. */
function takesEffect(client: IdentityClient, verb: 'accepts' | 'refuses'): string | undefined {
  if (client.via.kind === 'server') {
    return `The running server (pid ${client.via.pid}, ${client.via.url}) ${verb} it from now on.`;
  }
  if (client.via.kind === 'postgres')
    return `Running servers on this database ${verb.slice(0, -1)} it within 5 s.`;
  return undefined;
}

const keyStatus = (k: KeyView) => (k.revoked_at ? `revoked ${k.revoked_at}` : 'active');

export function registerIdentityCommands(program: Command, context: IdentityCommandContext) {
  const { out } = context;
  /** Runs one operation on the store or the running server, and always closes what it opened. */
  const withClient =
    <A extends unknown[]>(command: string, run: (client: IdentityClient, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      const client = await openIdentityClient(context.config(), command);
      try {
        await run(client, ...args);
      } finally {
        await client.close();
      }
    };

  const tenants = program.command('tenants').description('create and list tenants');
  tenants
    .command('create')
    .description('create a tenant')
    .argument('<slug>', 'its id: lower-case letters, digits or "-"', slug)
    .option('--name <name>', 'a display name (default: the slug)')
    .action(
      withClient('tenants create', async (client, id: string, options: { name?: string }) => {
        const tenant = await client.createTenant({ id, name: options.name });
        out(`Created tenant "${tenant.id}" (${tenant.name}).`);
      }),
    );
  tenants
    .command('list')
    .description('list the tenants')
    .action(
      withClient('tenants list', async (client) => {
        const all = await client.listTenants();
        for (const line of table(
          ['ID', 'NAME', 'CREATED'],
          all.map((t) => [t.id, t.name, t.created_at]),
        ))
          out(line);
      }),
    );

  const users = program.command('users').description("manage a tenant's users and their roles");
  users
    .command('add')
    .description("add a user to a tenant with a role, or change the user's role there")
    .argument('<tenant>', 'the tenant slug', slug)
    .argument('<user>', 'the user id (an email, a username or an OpenID subject)', userId)
    .addOption(roleOption('-r, --role <role>', 'the role in the tenant').makeOptionMandatory())
    .action(
      withClient('users add', async (client, tenantId: string, user: string, options: { role: Role }) => {
        const member = await client.addUser({ tenantId, userId: user, role: options.role });
        out(`User "${member.user_id}" is ${member.role} of tenant "${tenantId}".`);
      }),
    );
  users
    .command('list')
    .description("list a tenant's users")
    .argument('<tenant>', 'the tenant slug', slug)
    .action(
      withClient('users list', async (client, tenantId: string) => {
        const members = await client.listUsers(tenantId);
        for (const line of table(
          ['USER', 'ROLE', 'ADDED'],
          members.map((m) => [m.user_id, m.role, m.created_at]),
        ))
          out(line);
      }),
    );

  registerKeyCommands(program, context, withClient);
}

type WithClient = <A extends unknown[]>(
  command: string,
  run: (client: IdentityClient, ...args: A) => Promise<void>,
) => (...args: A) => Promise<void>;

function registerKeyCommands(program: Command, context: IdentityCommandContext, withClient: WithClient) {
  const { out } = context;
  const keys = program.command('keys').description('create, list and revoke API keys (stored hashed)');
  keys
    .command('create')
    .description('create an API key (shown once, stored hashed)')
    .addHelpText(
      'after',
      `\nWithout --user, a key of the ${DEFAULT_TENANT} tenant acts as its user "${LOCAL_USER}" (an owner), so a bare\n` +
        '"berth keys create <name>" makes an owner key; a key of another tenant acts as itself. The role\n' +
        "defaults to the user's role, else member, and never exceeds the user's role.",
    )
    .argument('<name>', 'a name to tell it apart: 1-64 letters, digits, spaces or ._:@-')
    .addOption(tenantOption())
    .addOption(roleOption('-r, --role <role>', "the key's role (default: its user's role, else member)"))
    .option(
      '-u, --user <id>',
      `the user the key acts as (default: ${LOCAL_USER} in ${DEFAULT_TENANT})`,
      userId,
    )
    .option('--no-user', 'the key acts as itself, not as a user')
    .action(
      withClient(
        'keys create',
        async (client, name: string, options: { tenant: string; role?: Role; user?: string | false }) => {
          const user =
            options.user === false
              ? undefined
              : (options.user ?? (options.tenant === DEFAULT_TENANT ? LOCAL_USER : undefined));
          const { key, record } = await client.createKey({
            tenantId: options.tenant,
            name,
            role: options.role,
            userId: user,
          });
          const as = record.user_id ? `acting as ${record.user_id}` : 'acting as itself';
          out(
            `Created key "${record.name}" (id ${record.id}, ${record.role} of tenant "${options.tenant}", ${as}).`,
          );
          out(`  ${key}`);
          out('Store it now: it is not shown again. Use it as "Authorization: Bearer <key>".');
          const effect = takesEffect(client, 'accepts');
          if (effect) out(effect);
        },
      ),
    );
  keys
    .command('list')
    .description("list a tenant's keys (never the keys themselves: their first characters)")
    .addOption(tenantOption())
    .action(
      withClient('keys list', async (client, options: { tenant: string }) => {
        const all = await client.listKeys(options.tenant);
        if (all.length === 0) {
          out(`No keys in tenant "${options.tenant}".`);
          return;
        }
        const rows = all.map((k) => [
          k.id,
          k.prefix,
          k.name,
          k.role,
          k.user_id ?? '-',
          keyStatus(k),
          k.created_at,
        ]);
        for (const line of table(['ID', 'PREFIX', 'NAME', 'ROLE', 'USER', 'STATUS', 'CREATED'], rows))
          out(line);
      }),
    );
  keys
    .command('revoke')
    .description('revoke the one active key whose id or key starts with <id-or-prefix>')
    .argument(
      '<id-or-prefix>',
      'the start of its id or of the key (4 characters at least), or the key',
      keyPrefix,
    )
    .addOption(tenantOption())
    .action(
      withClient('keys revoke', async (client, idOrPrefix: string, options: { tenant: string }) => {
        const { record, activeKeysLeft } = await client.revokeKey(options.tenant, idOrPrefix);
        out(`Revoked key "${record.name}" (id ${record.id}, ${record.prefix}).`);
        const effect = takesEffect(client, 'refuses');
        if (effect) out(effect);
        const config = context.config();
        if (activeKeysLeft === 0 && config.auth.mode !== 'off') {
          out(
            'No active API key is left in the store. Auth stays on once a key was ever created, so the server now refuses every request (401) until a key is created: berth keys create <name>' +
              (config.auth.apiKeys.length > 0 ? ' (keys set in BERTH_API_KEYS still work).' : '.'),
          );
        }
      }),
    );
}

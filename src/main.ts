import { Command, Option } from 'commander';
import { addConfigOptions, configFromOptions } from './cli/config-options.ts';
import { refuseBadStart } from './cli/start-refusals.ts';

// Each command loads its own modules when it runs: the server's graph is some hundreds of
// modules compiled at start-up, which `send`, `credentials` or `--help` have no use for.

const program = new Command('carillon').description('Self-hosted push notifications').showHelpAfterError();

addConfigOptions(program.command('serve').description('run the API and delivery workers (SQLite in the data folder unless DATABASE_URL is set)')).action(
  async (opts) => {
    const config = configFromOptions(opts);
    // A start that will be refused says so before the server's modules load.
    await refuseBadStart(config);
    const { serve } = await import('./cli/serve.ts');
    await serve(config);
  },
);

addConfigOptions(program.command('push-service').description("run only Carillon's own RFC 8030 push service (WebSocket for Firefox at /push/ws)")).action(
  async (opts) => (await import('./cli/push-service.ts')).pushService(configFromOptions(opts)),
);

program
  .command('vapid')
  .description('VAPID keys (RFC 8292)')
  .command('generate')
  .description('print a new P-256 key pair as base64url JSON')
  .action(async () => {
    const { generateVapidKeys } = await import('./protocol/webpush/vapid.ts');
    process.stdout.write(`${JSON.stringify(generateVapidKeys(), null, 2)}\n`);
  });

addConfigOptions(
  program
    .command('migrate')
    .description('apply pending database migrations; with --to, copy the embedded store into a new PostgreSQL database')
    .option('--to <postgres url>', 'copy every row of the SQLite store in the data folder into this (empty) PostgreSQL database'),
).action(async (opts) => (await import('./cli/migrate.ts')).migrate(configFromOptions(opts), opts.to));

const collect = (v: string, prev: string[] = []) => [...prev, v];
program
  .command('send')
  .description('send a notification through a running server and follow it until delivered')
  .addOption(new Option('--server <url>', 'Carillon API base URL').env('CARILLON_SERVER').default('http://127.0.0.1:8080'))
  .addOption(new Option('--app <id>', 'app id').env('CARILLON_APP_ID').makeOptionMandatory())
  .addOption(new Option('--key <secret key>', "the app's secret API key").env('CARILLON_API_KEY').makeOptionMandatory())
  .requiredOption('--title <text>', 'notification title')
  .option('--body <text>', 'notification body')
  .option('--url <url>', 'opened on click')
  .option('--icon <url>', 'icon')
  .option('--image <url>', 'large image')
  .option('--all', 'every subscription of the app')
  .option('--user <id>', 'a user id (repeatable)', collect)
  .option('--tag <key=value>', 'subscriptions with this tag (repeatable: all must match)', collect)
  .option('--subscription <id>', 'a subscription id (repeatable)', collect)
  .option('--ttl <seconds>', 'how long push services keep it for an offline device')
  .addOption(new Option('--urgency <level>').choices(['very-low', 'low', 'normal', 'high']))
  .option('--topic <topic>', 'RFC 8030 topic: replaces an undelivered message with the same topic')
  .option('--idempotency-key <key>', 'retrying with the same key sends nothing twice')
  .option('--no-wait', 'return once accepted')
  .option('--json', 'print the final status as JSON')
  .action(async (opts) => {
    process.exitCode = await (await import('./cli/send.ts')).send(opts);
  });

const credentials = program.command('credentials').description("an app's APNs and FCM credentials, through a running server's API");
const apiOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--server <url>', 'Carillon API base URL').env('CARILLON_SERVER').default('http://127.0.0.1:8080'))
    .addOption(new Option('--app <id>', 'app id').env('CARILLON_APP_ID').makeOptionMandatory())
    .addOption(new Option('--key <secret key>', "the app's secret API key").env('CARILLON_API_KEY').makeOptionMandatory());
apiOptions(credentials.command('set-apns').description('set the APNs token signing key (AuthKey_<keyId>.p8)'))
  .requiredOption('--key-id <id>', 'the 10-character key id')
  .requiredOption('--team-id <id>', 'the 10-character team id')
  .requiredOption('--key-file <path>', 'the .p8 file Apple gave you')
  .requiredOption('--topic <bundle id>', 'the app bundle id (apns-topic)')
  .action(async (opts) => (await import('./cli/credentials.ts')).setApns(opts));
apiOptions(credentials.command('set-fcm').description('set the FCM service account'))
  .requiredOption('--service-account <path>', 'the service account key JSON from Google Cloud')
  .action(async (opts) => (await import('./cli/credentials.ts')).setFcm(opts));
apiOptions(credentials.command('list').description('which credentials are set (never the secrets)')).action(async (opts) => (await import('./cli/credentials.ts')).listCredentials(opts));
apiOptions(credentials.command('delete').description('remove credentials').argument('<kind>', 'apns or fcm')).action(async (kind: string, opts) => (await import('./cli/credentials.ts')).deleteCredentials(opts, kind));

const users = program.command('users').description("an app's users, through a running server's API");
apiOptions(users.command('import').description('create or merge users from a CSV file with a header row, or NDJSON (one user per line); see docs/users.md').argument('<file>', '.csv, .ndjson or .jsonl'))
  .addOption(new Option('--format <format>', 'when the file name does not tell').choices(['csv', 'ndjson']))
  .option('--page-size <n>', 'users per request (at most 1000)', '1000')
  .option('--json', 'print the result (imported, refused rows with their line) as JSON')
  .action(async (file: string, opts) => {
    process.exitCode = await (await import('./cli/users-import.ts')).importUsersFile(file, opts);
  });

const analytics = program.command('analytics').description('the activity log and its rollups (docs/analytics.md)');
addConfigOptions(
  analytics
    .command('rebuild')
    .description('recount the hourly rollups from the raw activity log, for the hours the retention keeps')
    .option('--app <id>', 'one app only')
    .option('--since <time>', 'RFC 3339; recount from this hour on (not before the retention cutoff)'),
).action(async (opts) => (await import('./cli/analytics.ts')).rebuildAnalytics(configFromOptions(opts), opts));

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`carillon: ${err.message}\n`);
  process.exit(1);
});

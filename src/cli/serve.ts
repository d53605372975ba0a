import type { Config } from '../config/defaults.ts';
import { ensureAdminKey } from '../apps/apps.ts';
import { createRuntime } from '../runtime.ts';
import { WEBSOCKET_PATH } from '../push-service/websocket-path.ts';
import { checkStore } from '../store/database.ts';
import { issueSetupToken } from '../operators/setup.ts';
import { releaseStartMemory } from '../../bin/start-memory.js';

/**
 * `carillon serve`: API and delivery workers in one process, on the embedded store by
 * default. `--role api` serves the API and takes no jobs; `--role worker` takes jobs and
 * answers only health, readiness and metrics.
 */
export async function serve(config: Config): Promise<void> {
  const runtime = await createRuntime(config);
  const { ctx, app } = runtime;
  await checkStore(ctx.store);
  if (config.databaseUrl && !config.masterKey) {
    // Each machine would make a master key of its own in its data folder, and a worker
    // could not open what an API process sealed.
    ctx.logger.warn('DATABASE_URL is set without CARILLON_MASTER_KEY: every process sharing this database needs the same master key (see docs/scale-out.md)');
  }
  const adminKey = await ensureAdminKey(ctx);
  // While no operator exists, each start prints a fresh one-time link to make the first one.
  const setupToken = config.role === 'worker' ? undefined : await issueSetupToken(ctx);
  if (config.role !== 'api') runtime.startWorkers();
  // The start's work is done: its garbage goes before the first request comes.
  releaseStartMemory();
  const address = await app.listen({ port: config.port, host: config.host });
  const url = config.publicUrl || address;

  const lines = [
    `Carillon is running at ${url}${config.role === 'both' ? '' : ` (role: ${config.role})`}`,
    `  API docs:  ${url}/docs`,
    `  Data:      ${ctx.store.location}`,
  ];
  if (config.pushService && config.role !== 'worker') {
    const base = (config.pushServiceUrl || url).replace(/\/+$/, '');
    lines.push(`  Push service: ${base.replace(/^http/, 'ws')}${WEBSOCKET_PATH} (Firefox: dom.push.serverURL)`);
  }
  if (adminKey) {
    lines.push(`  Admin key: ${adminKey}`, '             (shown once; store it now. Set CARILLON_ADMIN_KEY to choose your own.)');
  } else {
    lines.push(`  Admin key: ${config.adminKey ? 'from CARILLON_ADMIN_KEY' : 'created on first start (printed then)'}`);
  }
  if (config.role !== 'worker') lines.push(`  Dashboard: ${url}/dashboard/`);
  if (setupToken) {
    lines.push(`  Set up the first operator: ${url}/dashboard/setup#token=${setupToken}`, '             (good once, for a day; a restart prints a new one until an operator exists.)');
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'draining: no new work, finishing running batches');
    const timer = setTimeout(() => {
      ctx.logger.warn('drain took longer than shutdownGrace; exiting, unfinished jobs resume at next start');
      process.exit(1);
    }, config.shutdownGrace);
    timer.unref();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

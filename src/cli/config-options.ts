import { Option, type Command } from 'commander';
import { defaults, type Config } from '../config/defaults.ts';
import { CONFIG_KEYS, envName, flagName } from '../config/keys.ts';
import { loadConfig } from '../config/load.ts';

/** Adds one flag per config key (`--request-timeout <value>`), named after the key. */
export function addConfigOptions(cmd: Command): Command {
  cmd.option('--config <file>', 'env-style config file (KEY=value lines), also CARILLON_CONFIG');
  for (const key of CONFIG_KEYS) {
    const isBool = typeof defaults[key] === 'boolean';
    const flag = isBool ? `${flagName(key)} [bool]` : `${flagName(key)} <value>`;
    cmd.addOption(new Option(flag, `${key} (env ${envName(key)}, default ${JSON.stringify(defaults[key])})`).hideHelp(!['port', 'host', 'dataDir', 'databaseUrl', 'logLevel'].includes(key)));
  }
  return cmd;
}

/** The config from defaults, file, environment and this command's flags. */
export function configFromOptions(opts: Record<string, unknown>): Config {
  const flags: Partial<Record<keyof Config, string | boolean>> = {};
  for (const key of CONFIG_KEYS) {
    const v = opts[key];
    if (v !== undefined) flags[key] = v === true ? true : String(v);
  }
  return loadConfig({ flags, file: opts.config as string | undefined });
}

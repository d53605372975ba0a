/** Command-line flags of `npm run bench`. */

export const SECTIONS = ['encryption', 'fanout', 'urgent', 'api', 'app-push', 'connections', 'audience', 'campaigns', 'analytics', 'webhooks', 'alerts', 'alerts-area', 'journeys', 'mfa', 'memory'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface Flags {
  /** Audience of the fan-out and of the broadcast behind urgent sends. */
  n: number;
  /** Whether --n was given: section 7 seeds 1M users unless it was (section 8 plans for 1M, or --n if larger). */
  nSet: boolean;
  only: SectionName[];
  quick: boolean;
  /** Where the JSON goes; bench/results/<timestamp>.json by default. */
  json: string | undefined;
  /** Writes V8 CPU profiles of the Carillon fan-out process (main and crypto threads). */
  profile: boolean;
  /** Skips the PostgreSQL + Redis fan-out figure and section 7's PostgreSQL rows. */
  noScaleOut: boolean;
  /** Largest audience for the web-push peer, the HTTP/2 variant and the PostgreSQL figure. */
  peerMax: number;
}

export const USAGE = `npm run bench [-- options]

  --n <count>        audience of the fan-out (default 100000; e.g. --n 1000000), and
                     users of section 7 (default 1000000, with 10 events each); section 8
                     fans out to n and plans for max(n, 1000000) users (under --quick
                     both 2000, or n if given)
  --only <sections>  comma-separated: ${SECTIONS.join(', ')} (or 1-${SECTIONS.length})
  --quick            tiny measuring windows: checks that every section runs (npm test
                     does, with --n 300); its figures are not worth quoting
  --json <path>      where the JSON results go (default bench/results/<time>.json)
  --profile          CPU profiles of Carillon's fan-out, API, journeys and sign-in servers, into bench/results/profiles
  --no-scale-out     skip the PostgreSQL + Redis fan-out figure and section 7 on PostgreSQL
  --peer-max <count> run the web-push peer, the HTTP/2 variant and the PostgreSQL
                     figure on at most this audience (default: --n); their rates
                     are steady, so --n 1000000 --peer-max 100000 saves an hour
  --help`;

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { n: 100_000, nSet: false, only: [...SECTIONS], quick: false, json: undefined, profile: false, noScaleOut: false, peerMax: Number.POSITIVE_INFINITY };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--n': {
        const n = Number(value().replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new Error('--n must be a positive integer');
        flags.n = n;
        flags.nSet = true;
        break;
      }
      case '--only':
        flags.only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => {
            const byNumber = /^[1-9]$/.test(s) && Number(s) <= SECTIONS.length ? SECTIONS[Number(s) - 1] : undefined;
            const section = byNumber ?? SECTIONS.find((x) => x === s);
            if (!section) throw new Error(`unknown section ${s}; use ${SECTIONS.join(', ')}`);
            return section;
          });
        break;
      case '--quick':
        flags.quick = true;
        break;
      case '--json':
        flags.json = value();
        break;
      case '--profile':
        flags.profile = true;
        break;
      case '--peer-max': {
        const n = Number(value().replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new Error('--peer-max must be a positive integer');
        flags.peerMax = n;
        break;
      }
      case '--no-scale-out':
        flags.noScaleOut = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return flags;
}

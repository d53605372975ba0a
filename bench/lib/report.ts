/** The rows of the bench's table, and the table itself. */

export interface Row {
  /** Section number, 1 to 8. */
  section: number;
  what: string;
  carillon: string;
  /** The peer measured in the same run, and its figure. */
  peer: string;
  /** Carillon against the peer, in the direction the goal reads. */
  ratio: string;
  /** The goal and whether this run met it; empty where the issue sets none. */
  goal: string;
}

export interface SectionResult {
  name: string;
  rows: Row[];
  /** Every measured figure, for the JSON file. */
  data: unknown;
  error?: string;
}

const HEADER = ['#', 'What', 'Carillon', 'Peer (same run)', 'Ratio', 'Goal'];

export function markdownTable(rows: Row[]): string {
  const cells = rows.map((r) => [String(r.section), r.what, r.carillon, r.peer, r.ratio, r.goal].map(escapeCell));
  const lines = [HEADER, HEADER.map(() => '---'), ...cells].map((c) => `| ${c.join(' | ')} |`);
  return lines.join('\n');
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** "met" or "missed", with the comparison spelled out. */
export function goal(text: string, met: boolean | undefined): string {
  if (met === undefined) return text;
  return `${text}: ${met ? 'met' : 'missed'}`;
}

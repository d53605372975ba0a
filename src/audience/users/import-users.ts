import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { ErrorCode } from '../../errors/catalogue.ts';
import { ImportedUser } from './user-input.ts';
import { applyPatch } from './users.ts';
import { validateUser } from './validate-user.ts';

/** Users per import page: one request stays well under the body limit and a few seconds of work. */
export const IMPORT_PAGE_SIZE = 1_000;

export interface RefusedRow {
  /** Position in the page (0-based); the CLI turns it into the file's line number. */
  index: number;
  code: ErrorCode;
  pointer?: string;
  detail: string;
}

const checkRow = TypeCompiler.Compile(ImportedUser);

// TypeBox paths are RFC 6901 pointers already escaped; as a URI fragment each token is percent-encoded.
const fragment = (path: string) => `#${path.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t))).join('/')}`;

/**
 * Imports a page of users, each created or merged as PUT does it. A row that breaks a rule
 * is refused with its index, code and pointer and stores nothing; the others are stored,
 * each in a transaction of its own, so one bad row does not hold back the page.
 */
export async function importUsers(ctx: Context, appId: string, rows: unknown[]): Promise<{ imported: number; refused: RefusedRow[] }> {
  const refused: RefusedRow[] = [];
  let imported = 0;
  for (const [index, row] of rows.entries()) {
    if (!checkRow.Check(row)) {
      const first = checkRow.Errors(row).First();
      refused.push({ index, code: 'invalid_request', pointer: fragment(first?.path ?? ''), detail: first?.message ?? 'does not match the user schema' });
      continue;
    }
    try {
      const { externalId, ...fields } = row;
      const patch = validateUser(fields);
      await ctx.store.db.transaction().execute((tx) => applyPatch(tx, ctx, appId, externalId, patch, ctx.now()));
      imported += 1;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const errors = err.extra.errors as { pointer?: string }[] | undefined;
      refused.push({ index, code: err.code, ...(errors?.[0]?.pointer ? { pointer: errors[0].pointer } : {}), detail: err.message });
    }
  }
  return { imported, refused };
}

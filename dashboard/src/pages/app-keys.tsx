import { useState } from 'react';
import { call } from '../api/client.ts';
import type { ApiKey, CreatedApiKey } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { CopyValue, Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

type Kind = ApiKey['kind'];
const KINDS: Kind[] = ['secret', 'publishable'];

/**
 * An app's API keys (docs/api-keys.md): listed by prefix with their last use, made (the key
 * shown once, with a copy button) and revoked with a confirmation by owners; every member
 * sees the list. The server keeps the app's last secret key (last_secret_key), shown here
 * as the refusal it is.
 */
export function AppKeys({ appId, editable }: { appId: string; editable: boolean }) {
  const { t, date } = useI18n();
  const keys = useLoad((signal) => call('listApiKeys', { params: { appId }, signal }), [appId]);
  const [kind, setKind] = useState<Kind>('secret');
  const [name, setName] = useState('');
  const [made, setMade] = useState<CreatedApiKey | undefined>();
  const create = useSubmit(
    () => call('createApiKey', { params: { appId }, body: { kind, ...(name.trim() ? { name: name.trim() } : {}) } }),
    (key) => {
      setMade(key);
      setName('');
      keys.reload();
    },
  );
  return (
    <Section title={t('keys.title')}>
      <p className="hint">{t('keys.note')}</p>
      {keys.problem && <ProblemMessage problem={keys.problem} />}
      {!keys.data && !keys.problem && <Loading />}
      {keys.data && (
        // Focusable, so that a keyboard can scroll the table where it is wider than a phone (axe: scrollable-region-focusable).
        <div className="scroll" tabIndex={0} role="region" aria-label={t('keys.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('keys.prefix')}</th>
                <th scope="col">{t('keys.kind')}</th>
                <th scope="col">{t('keys.name')}</th>
                <th scope="col">{t('common.created')}</th>
                <th scope="col">{t('keys.lastUsed')}</th>
                <th scope="col">{editable ? <span className="visually-hidden">{t('keys.revoke')}</span> : <span className="visually-hidden">{t('keys.status')}</span>}</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{t(`keys.kind.${k.kind}`)}</td>
                  <td>{k.name ?? <span className="muted">{t('common.none')}</span>}</td>
                  <td>{date(k.createdAt)}</td>
                  <td>{k.lastUsedAt ? date(k.lastUsedAt) : <span className="muted">{t('keys.never')}</span>}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="muted">{t('keys.revokedAt', { date: date(k.revokedAt) })}</span>
                    ) : (
                      editable && (
                        <ConfirmButton
                          label={t('keys.revoke')}
                          title={`${t('keys.revoke')}: ${k.prefix}…`}
                          message={t('keys.revokeConfirm', { prefix: `${k.prefix}…` })}
                          action={async () => {
                            await call('revokeApiKey', { params: { appId, keyId: k.id } });
                            keys.reload();
                          }}
                        />
                      )
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <>
          <form className="row" onSubmit={(e) => void create.onSubmit(e)} noValidate>
            <div className="field">
              <label htmlFor="key-kind">{t('keys.kind')}</label>
              <select id="key-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`keys.kind.${k}`)}
                  </option>
                ))}
              </select>
            </div>
            <Field label={t('keys.name')} name="keyName" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} error={create.fieldError('/name')} />
            <button type="submit" disabled={create.busy}>
              {t('keys.create')}
            </button>
          </form>
          <ProblemMessage problem={create.formError('/name')} />
          {made && <CopyValue label={t('keys.newKey', { prefix: `${made.prefix}…` })} value={made.key} note={t('common.shownOnce')} />}
        </>
      )}
    </Section>
  );
}

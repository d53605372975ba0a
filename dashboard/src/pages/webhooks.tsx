import { useState } from 'react';
import { call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { can, useSession } from '../session.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { CopyValue, Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';
import { WEBHOOK_EVENTS, type Webhook } from './campaign-types.ts';
import { AppNav } from '../ui/app-nav.tsx';
import { Pager } from './campaigns.tsx';

/** The default grace period of a rotation, in hours (the server's webhookSecretGrace, 24 h). */
const GRACE_HOURS = 24;

/** An app's webhook endpoints: created with their secret shown once, enabled or disabled, rotated, deleted. */
export function WebhooksPage({ appId }: { appId: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const owner = can(session, appId, 'owner');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad((signal) => call('listWebhooks', { params: { appId }, query: { limit: '25', ...(cursor ? { cursor } : {}) }, signal }), [appId, cursor]);
  const [created, setCreated] = useState<{ url: string; secret: string } | undefined>();
  return (
    <div className="page">
      <AppNav appId={appId} />
      <h1>{t('webhooks.title')}</h1>
      {!owner && <p className="notice">{t('webhooks.ownersOnly')}</p>}
      <Section title={t('webhooks.endpoints')}>
        {list.problem && <ProblemMessage problem={list.problem} />}
        {!list.data && !list.problem && <Loading />}
        {list.data && list.data.data.length === 0 && <p>{t('webhooks.none')}</p>}
        {list.data && list.data.data.length > 0 && (
          <ul className="plain endpoints">
            {list.data.data.map((w) => (
              <Endpoint key={w.id} appId={appId} webhook={w} owner={owner} onChanged={list.reload} />
            ))}
          </ul>
        )}
        <Pager hasPrevious={cursors.length > 1} next={list.data?.next ?? null} onPrevious={() => setCursors(cursors.slice(0, -1))} onNext={(n) => setCursors([...cursors, n])} />
      </Section>
      {created && (
        <Section title={t('webhooks.created', { url: created.url })}>
          <CopyValue label={t('webhooks.secret')} value={created.secret} note={t('common.shownOnce')} />
        </Section>
      )}
      {owner && (
        <CreateEndpoint
          appId={appId}
          onCreated={(w) => {
            setCreated({ url: w.url, secret: w.secret });
            list.reload();
          }}
        />
      )}
    </div>
  );
}

function Endpoint({ appId, webhook: w, owner, onChanged }: { appId: string; webhook: Webhook; owner: boolean; onChanged(): void }) {
  const { t, date } = useI18n();
  const [grace, setGrace] = useState(String(GRACE_HOURS));
  const [rotated, setRotated] = useState<{ secret: string; until: string } | undefined>();
  const toggle = useSubmit(() => call('updateWebhook', { params: { appId, id: w.id }, body: { enabled: !w.enabled } }), onChanged);
  return (
    <li className="endpoint">
      <div className="row-between">
        <span>
          <Link to={`/apps/${appId}/webhooks/${w.id}`}>{w.url}</Link> {w.description && <span className="muted">{w.description}</span>}
          <br />
          <span className={w.enabled ? 'ok' : 'bad'}>{w.enabled ? t('webhooks.enabled') : w.disabledReason ? t(`webhooks.disabled.${w.disabledReason}`) : t('webhooks.disabled')}</span>{' '}
          <span className="muted">{w.events === 'all' ? t('webhooks.allEvents') : w.events.join(', ')}</span>
        </span>
        {owner && (
          <span className="buttons">
            <button type="button" className="secondary" disabled={toggle.busy} onClick={() => void toggle.onSubmit()}>
              {w.enabled ? t('webhooks.disable') : t('webhooks.enable')}
            </button>
            <ConfirmButton
              label={t('webhooks.rotate')}
              message={t('webhooks.rotateConfirm', { hours: grace })}
              action={async () => {
                const hours = Number(grace);
                const r = await call('rotateWebhookSecret', { params: { appId, id: w.id }, body: { gracePeriod: Number.isFinite(hours) ? Math.round(hours * 3600) : grace } });
                setRotated({ secret: r.secret, until: r.previousSecretExpiresAt });
              }}
            >
              <Field label={t('webhooks.grace')} type="number" min={0} max={168} step="any" value={grace} onChange={(e) => setGrace(e.target.value)} />
            </ConfirmButton>
            <ConfirmButton
              label={t('common.delete')}
              title={t('webhooks.delete')}
              message={t('webhooks.deleteConfirm', { url: w.url })}
              action={async () => {
                await call('deleteWebhook', { params: { appId, id: w.id } });
                onChanged();
              }}
            />
          </span>
        )}
      </div>
      <ProblemMessage problem={toggle.problem} />
      {rotated && <CopyValue label={t('webhooks.newSecret')} value={rotated.secret} note={`${t('common.shownOnce')} ${t('webhooks.graceUntil', { until: date(rotated.until) })}`} />}
    </li>
  );
}

function CreateEndpoint({ appId, onCreated }: { appId: string; onCreated(w: Webhook & { secret: string }): void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>([]);
  const save = useSubmit(
    () => call('createWebhook', { params: { appId }, body: { url, ...(description ? { description } : {}), events: all ? 'all' : events } }),
    (w) => {
      setUrl('');
      setDescription('');
      setAll(true);
      setEvents([]);
      onCreated(w);
    },
  );
  return (
    <Section title={t('webhooks.create')}>
      <form onSubmit={(e) => void save.onSubmit(e)} noValidate>
        <Field label={t('webhooks.url')} type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={save.fieldError('/url')} hint={t('webhooks.urlHint')} />
        <Field label={t('webhooks.description')} value={description} onChange={(e) => setDescription(e.target.value)} error={save.fieldError('/description')} />
        <fieldset className="caps">
          <legend>{t('webhooks.events')}</legend>
          <Field type="checkbox" label={t('webhooks.allEvents')} checked={all} onChange={(e) => setAll(e.target.checked)} />
          {!all &&
            WEBHOOK_EVENTS.map((ev) => (
              <Field key={ev} type="checkbox" label={ev} checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? WEBHOOK_EVENTS.filter((x) => x === ev || events.includes(x)) : events.filter((x) => x !== ev))} />
            ))}
          {save.fieldError('/events') && <p className="field-error">{save.fieldError('/events')}</p>}
        </fieldset>
        <ProblemMessage problem={save.formError('/url', '/description', '/events')} />
        <button type="submit" disabled={save.busy}>
          {t('webhooks.createSubmit')}
        </button>
      </form>
    </Section>
  );
}

import { useState } from 'react';
import { ApiProblem, call } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ConfirmButton } from '../ui/confirm.tsx';
import { Field, Loading, ProblemMessage, Section, useSubmit } from '../ui/form.tsx';
import { useLoad } from '../ui/use-load.ts';

/** APNs and FCM credentials: uploaded from their files, listed by what identifies them, never shown back. */
export function AppCredentials({ appId, editable }: { appId: string; editable: boolean }) {
  const { t, date } = useI18n();
  const list = useLoad((signal) => call('listCredentials', { params: { appId }, signal }), [appId]);
  return (
    <Section title={t('app.credentials')}>
      <p className="hint">{t('app.credentialsNote')}</p>
      {list.problem && <ProblemMessage problem={list.problem} />}
      {!list.data && !list.problem && <Loading />}
      {list.data && list.data.data.length === 0 && <p>{t('app.credentialsNone')}</p>}
      {list.data && list.data.data.length > 0 && (
        <ul className="plain">
          {list.data.data.map((c) => (
            <li key={c.kind} className="row-between">
              <span>
                <strong>{c.kind.toUpperCase()}</strong> {c.keyId ?? c.clientEmail ?? ''} {c.teamId ?? c.projectId ?? ''} <span className="muted">{date(c.updatedAt)}</span>
              </span>
              {editable && <ConfirmButton label={t('app.deleteCredentials', { kind: c.kind.toUpperCase() })} message={t('app.deleteCredentialsConfirm', { kind: c.kind.toUpperCase() })} action={async () => { await call('deleteCredentials', { params: { appId, kind: c.kind } }); list.reload(); }} />}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <div className="columns">
          <ApnsForm appId={appId} onSaved={list.reload} />
          <FcmForm appId={appId} onSaved={list.reload} />
        </div>
      )}
    </Section>
  );
}

function ApnsForm({ appId, onSaved }: { appId: string; onSaved(): void }) {
  const { t } = useI18n();
  const [keyId, setKeyId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [topic, setTopic] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const save = useSubmit(async () => {
    const key = file ? await file.text() : '';
    return call('setApnsCredentials', { params: { appId }, body: { keyId, teamId, topic, key } });
  }, onSaved);
  return (
    <form onSubmit={(e) => void save.onSubmit(e)} noValidate>
      <h3>{t('app.apns')}</h3>
      <Field label={t('app.apnsKeyId')} value={keyId} onChange={(e) => setKeyId(e.target.value)} error={save.fieldError('/keyId')} />
      <Field label={t('app.apnsTeamId')} value={teamId} onChange={(e) => setTeamId(e.target.value)} error={save.fieldError('/teamId')} />
      <Field label={t('app.apnsTopic')} value={topic} onChange={(e) => setTopic(e.target.value)} error={save.fieldError('/topic')} />
      <Field label={t('app.apnsKey')} type="file" accept=".p8,application/x-pem-file" onChange={(e) => setFile(e.target.files?.[0])} error={save.fieldError('/key')} />
      <ProblemMessage problem={save.formError('/keyId', '/teamId', '/topic', '/key')} />
      <button type="submit" disabled={save.busy}>
        {t('app.upload')}
      </button>
    </form>
  );
}

function FcmForm({ appId, onSaved }: { appId: string; onSaved(): void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | undefined>();
  const save = useSubmit(async () => {
    let serviceAccount: unknown;
    try {
      serviceAccount = JSON.parse(file ? await file.text() : '');
    } catch {
      throw new ApiProblem(400, { code: 'invalid_json', detail: t('app.fcmBadFile'), errors: [{ pointer: '#/serviceAccount', detail: t('app.fcmBadFile') }] });
    }
    return call('setFcmCredentials', { params: { appId }, body: { serviceAccount } });
  }, onSaved);
  return (
    <form onSubmit={(e) => void save.onSubmit(e)} noValidate>
      <h3>{t('app.fcm')}</h3>
      <Field label={t('app.fcmFile')} type="file" accept=".json,application/json" onChange={(e) => setFile(e.target.files?.[0])} error={save.fieldError('/serviceAccount')} />
      <ProblemMessage problem={save.formError('/serviceAccount')} />
      <button type="submit" disabled={save.busy}>
        {t('app.upload')}
      </button>
    </form>
  );
}

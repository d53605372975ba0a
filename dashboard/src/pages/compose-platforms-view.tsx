import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { RenderedContent } from './compose-model.ts';
import { PLATFORMS, cut, type Platform } from './compose-platforms.ts';

/**
 * The notification as each platform would show it, side by side: the title and body cut
 * where the platform cuts them (compose-platforms.ts), and what it leaves out said in
 * words (no image, no buttons), not only by its absence. Images are not fetched: the
 * page's policy allows none from elsewhere, so an image is a labelled frame with its URL.
 */
export function PlatformPreviews({ content, site }: { content: RenderedContent | undefined; site: string }) {
  const { t } = useI18n();
  return (
    <ul className="previews" aria-label={t('compose.previews')}>
      {PLATFORMS.map((p) => (
        <li key={p.id}>
          <PlatformPreview platform={p} content={content} site={site} />
        </li>
      ))}
    </ul>
  );
}

function PlatformPreview({ platform: p, content, site }: { platform: Platform; content: RenderedContent | undefined; site: string }) {
  const { t } = useI18n();
  const name = t(`compose.platform.${p.id}` as MessageKey);
  const title = cut(content?.title ?? '', p.title);
  const body = cut(content?.body ?? '', p.body);
  const actions = content?.actions ?? [];
  const dropped: string[] = [];
  if (content?.image && !p.image) dropped.push(t('compose.drops.image'));
  if (actions.length > 0 && p.actions === 0) dropped.push(t('compose.drops.actions'));
  if (actions.length > p.actions && p.actions > 0) dropped.push(t('compose.drops.someActions', { n: p.actions }));
  if (content?.icon && !p.icon) dropped.push(t('compose.drops.icon'));
  return (
    <figure className={`preview preview-${p.id}`} data-platform={p.id}>
      <figcaption>{name}</figcaption>
      <div className="preview-card">
        <div className="preview-head">
          {p.icon && <span className="preview-icon" aria-hidden="true">{content?.icon ? '▣' : '◆'}</span>}
          <span className="preview-site">{p.id === 'ios' ? t('compose.platform.iosApp') : site}</span>
        </div>
        <p className="preview-title" data-testid="preview-title">
          {title.shown || <span className="muted">{t('compose.noTitle')}</span>}
        </p>
        {body.shown && (
          <p className="preview-body" data-testid="preview-body">
            {body.shown}
          </p>
        )}
        {content?.image && p.image && (
          <div className="preview-image" data-testid="preview-image" role="img" aria-label={t('compose.imageAt', { url: content.image })}>
            {t('compose.image')}
          </div>
        )}
        {p.actions > 0 && actions.length > 0 && (
          <div className="preview-actions" data-testid="preview-actions">
            {actions.slice(0, p.actions).map((a) => (
              <span key={a.action} className="preview-action">
                {a.title}
              </span>
            ))}
          </div>
        )}
      </div>
      <p className="hint preview-limits">{t('compose.limits', { title: p.title, body: p.body })}</p>
      {(title.cut || body.cut) && <p className="hint preview-cut">{[title.cut ? t('compose.cut.title') : '', body.cut ? t('compose.cut.body') : ''].filter(Boolean).join(' ')}</p>}
      {dropped.length > 0 && (
        <p className="hint preview-drops" data-testid="preview-drops">
          {dropped.join(' ')}
        </p>
      )}
    </figure>
  );
}

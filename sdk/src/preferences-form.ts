/**
 * The ready-made preference form: one checkbox per category of notification, each with
 * its label, in a fieldset with a legend, saved as soon as a box changes. Failures are
 * said in a live region (WCAG 2.2 SC 4.1.3, status messages) and the box goes back to
 * what the server holds. Plain DOM with the page's own styles; class names to style it.
 */
export interface PreferencesFormOptions {
  /** The legend. Default "Notifications". */
  title?: string;
  /** A label per category; default the category's name with its first letter capitalised. */
  labels?: Record<string, string>;
}

export interface PreferencesSource {
  get(): Promise<Record<string, boolean>>;
  set(change: Record<string, boolean>): Promise<Record<string, boolean>>;
}

let forms = 0;

/** Renders the form into `element` (its content is replaced) and resolves once it shows the user's preferences. */
export async function renderPreferencesForm(element: HTMLElement, source: PreferencesSource, options: PreferencesFormOptions = {}): Promise<void> {
  const preferences = await source.get();
  const doc = element.ownerDocument;
  const prefix = `carillon-preferences-${++forms}`;
  const fieldset = doc.createElement('fieldset');
  fieldset.className = 'carillon-preferences';
  const legend = doc.createElement('legend');
  legend.textContent = options.title ?? 'Notifications';
  fieldset.append(legend);
  const status = doc.createElement('p');
  status.className = 'carillon-preferences-status';
  status.setAttribute('role', 'status');

  for (const [category, enabled] of Object.entries(preferences)) {
    const id = `${prefix}-${category}`;
    const row = doc.createElement('div');
    row.className = 'carillon-preference';
    const box = doc.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    box.name = category;
    box.checked = enabled;
    const label = doc.createElement('label');
    label.htmlFor = id;
    label.textContent = options.labels?.[category] ?? category.charAt(0).toUpperCase() + category.slice(1);
    box.addEventListener('change', () => {
      const wanted = box.checked;
      box.disabled = true;
      status.textContent = '';
      source
        .set({ [category]: wanted })
        .then((saved) => {
          box.checked = typeof saved[category] === 'boolean' ? saved[category] : wanted;
          status.textContent = 'Saved';
        })
        .catch((err: unknown) => {
          box.checked = !wanted;
          status.textContent = `Not saved: ${(err as Error).message}`;
        })
        .finally(() => {
          box.disabled = false;
        });
    });
    row.append(box, label);
    fieldset.append(row);
  }
  fieldset.append(status);
  element.replaceChildren(fieldset);
}

/**
 * What a template can read, per recipient. The names are the template's names:
 *
 *   {{ user.id }}                   the user's external id
 *   {{ user.language }}             BCP 47 tag or nothing     {{ user.timezone }}  IANA zone or nothing
 *   {{ user.country }}              ISO 3166-1 alpha-2 or nothing
 *   {{ user.attributes.firstName }} a custom attribute (docs/users.md#attributes)
 *   {{ event.name }}  {{ event.properties.sku }}   the triggering event, for event-triggered sends
 *   {{ app.name }}    {{ app.globals.supportUrl }} the app's own values, the same for every user
 *
 * Nothing else is in scope: a template naming another root or field is refused at save.
 */
export interface RenderContext {
  user: RenderUser;
  event?: RenderEvent | undefined;
  app: RenderApp;
}

export interface RenderUser {
  id: string;
  language: string | null;
  timezone: string | null;
  country: string | null;
  attributes: Readonly<Record<string, unknown>>;
}

export interface RenderEvent {
  name: string;
  properties: Readonly<Record<string, unknown>>;
}

export interface RenderApp {
  name?: string | undefined;
  globals: Readonly<Record<string, unknown>>;
}

/** The fields each root has; compileContent refuses any other (`user.firstName` for `user.attributes.firstName`). */
export const CONTEXT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  user: ['id', 'language', 'timezone', 'country', 'attributes'],
  event: ['name', 'properties'],
  app: ['name', 'globals'],
};

/**
 * The recipes of docs/journeys.md, shipped as starting points (`GET .../journey-templates`).
 * Each `journey` is a body `POST .../journeys` accepts as is; the recipe tests
 * (test/journeys/) run these very definitions, so the docs, the templates and what is tested
 * cannot drift apart.
 */
export interface JourneyTemplate {
  id: string;
  name: string;
  description: string;
  journey: Record<string, unknown>;
}

/** Abandoned cart: an hour after the cart changed, its first item by name and image; a day later a reminder; a purchase ends it. */
export const ABANDONED_CART = {
  name: 'Abandoned cart',
  trigger: { event: 'cart_updated' },
  exit: { events: ['purchase', 'cart_cleared'] },
  reentry: { after: '1d' },
  steps: [
    { wait: { duration: '1h' } },
    { send: { category: 'promotions', content: { en: { title: 'You left {{ event.properties.firstItemName }} in your cart', image: '{{ event.properties.firstItemImage }}', url: 'https://shop.example/cart' } } } },
    { wait: { duration: '1d' } },
    { send: { category: 'promotions', content: { en: { title: 'Still thinking about {{ event.properties.firstItemName }}?' } } } },
  ],
};

/** Appointment reminder: the day before at the same time on the user's clock, and 1 hour before, the instant the booking carries; a cancellation ends it. */
export const APPOINTMENT_REMINDER = {
  name: 'Appointment reminder',
  trigger: { event: 'appointment_booked' },
  exit: { events: ['appointment_cancelled'] },
  reentry: { after: '1m' },
  steps: [
    { wait: { untilEventTime: 'startsAt', before: '1d' } },
    { send: { content: { en: { title: 'Tomorrow: {{ event.properties.what }}' } } } },
    { wait: { untilEventTime: 'startsAt', before: '1h' } },
    { send: { content: { en: { title: 'In an hour: {{ event.properties.what }}' } } } },
  ],
};

/**
 * Price drop: the merchant's backend sends `price_changed` for an item (`sku`, `oldPrice`,
 * `newPrice`); everyone who viewed that sku in the last 30 days and has not bought it is sent
 * one push when the price fell by at least 20 %, and no one more than one such push a day.
 */
export const PRICE_DROP = {
  name: 'Price drop',
  trigger: {
    event: 'price_changed',
    drop: { from: 'oldPrice', to: 'newPrice', atLeastPercent: 20 },
    audience: { event: 'product_viewed', within: '30d', property: 'sku', except: 'purchase' },
  },
  reentry: { after: '1m' },
  limit: { max: 1, per: '1d' },
  steps: [{ send: { category: 'promotions', content: { en: { title: '{{ event.properties.name }} is now {{ event.properties.newPrice }}', body: 'Down from {{ event.properties.oldPrice }}: the one you looked at.' } } } }],
};

export const JOURNEY_TEMPLATES: readonly JourneyTemplate[] = [
  {
    id: 'abandoned_cart',
    name: 'Abandoned cart',
    description:
      'Starts on `cart_updated` (with `firstItemName` and `firstItemImage`); an hour later sends the first item by name and image, a day later a reminder. A `purchase` or `cart_cleared` ends the run wherever it is; a user may enter again a day after their last run ended.',
    journey: ABANDONED_CART,
  },
  {
    id: 'appointment_reminder',
    name: 'Appointment reminder',
    description:
      'Starts on `appointment_booked` (with `what` and `startsAt`, an RFC 3339 instant); sends a reminder the day before at the same time on the user’s clock (their time zone) and 1 hour before it. An `appointment_cancelled` ends the run and no pending reminder goes.',
    journey: APPOINTMENT_REMINDER,
  },
  {
    id: 'price_drop',
    name: 'Price drop',
    description:
      'Starts on the merchant’s `price_changed` for an item (`sku`, `oldPrice`, `newPrice`, `name`), sent from its backend: everyone who viewed that `sku` (`product_viewed`) in the last 30 days and has not bought it (`purchase`) is sent one push when the price fell by at least 20 %; at most one such push per user a day.',
    journey: PRICE_DROP,
  },
];

/** The templates, as the API answers them (copies: a caller cannot change the shared definitions). */
export function listJourneyTemplates(): { data: JourneyTemplate[] } {
  return { data: structuredClone(JOURNEY_TEMPLATES) as JourneyTemplate[] };
}

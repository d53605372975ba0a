/**
 * Names that reach JavaScript's object machinery rather than data. Reads of them find
 * nothing at render anyway (a null-prototype scope and liquidjs's ownPropertyOnly), but a
 * template that names one is a probe, not a message, and `{% assign __proto__ = x %}` or
 * `{% for __proto__ in ... %}` would set the prototype of one of liquidjs's own scope
 * objects. Refused at save wherever a template writes one out.
 */
export const OBJECT_INTERNALS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

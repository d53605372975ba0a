/**
 * Campaign content: Liquid templates per language, checked at save, rendered per recipient
 * (docs/campaigns-content.md).
 */
export { CampaignContent, TemplatedMessage, TemplatedAction } from './campaign-content.ts';
export { compileContent, type CompileOptions } from './compile-content.ts';
export type { CompiledContent, CompiledVersion, CompiledField, FieldPath } from './compiled-content.ts';
export { ContentError, type ContentErrorCode, type TemplatePosition } from './content-error.ts';
export { ContentRenderer, type ContentRendererOptions, type ContentRendererStats } from './content-renderer.ts';
export { pickLanguage, lookupChain } from './pick-language.ts';
export { render, type RenderResult, type RenderCut } from './render.ts';
export { versionFor } from './version-for.ts';
export type { RenderContext, RenderUser, RenderEvent, RenderApp } from './render-context.ts';
export { renderKey } from './render-key.ts';
export { renderUser, type UserRow } from './render-user.ts';
export * as contentLimits from './limits.ts';

/** The built-in assistant of conversations (pure matching) and the external model hook. */
export { KnowledgeBase, KNOWLEDGE_BASE_LIMITS, LANGUAGES, type Intent, type IntentAction, type Language, type QaPair } from './knowledge-base.ts';
export { validateKnowledgeBase, assertKnowledgeBase, type KnowledgeBaseProblem } from './validate-knowledge-base.ts';
export { buildIndex, BM25, type AssistantIndex } from './bm25-index.ts';
export { IndexCache } from './index-cache.ts';
export { match, DEFAULT_THRESHOLD, type MatchOptions } from './match.ts';
export { createBuiltinAssistant, type BuiltinAssistantOptions } from './builtin-assistant.ts';
export { createExternalModel, DEFAULT_MODEL_TIMEOUT, type ExternalModelOptions } from './external-model.ts';
export type { Assistant, AssistantInput, AssistantReply, HandoffReason, Matched } from './reply.ts';

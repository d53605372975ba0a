/** The built-in assistant: the matcher behind the Assistant interface, one knowledge base version. */
import type { AssistantIndex } from './bm25-index.ts';
import { match } from './match.ts';
import type { Assistant } from './reply.ts';

export interface BuiltinAssistantOptions {
  /** Confidence below which the message goes to a person; DEFAULT_THRESHOLD (0.45) when left out. */
  threshold?: number | undefined;
}

/**
 * An Assistant over an index (from IndexCache.get or buildIndex).
 *
 *   const assistant = createBuiltinAssistant(cache.get(appId, version, () => kb))
 *   await assistant.reply({message: 'Where is my parcel?'})
 */
export function createBuiltinAssistant(index: AssistantIndex, options: BuiltinAssistantOptions = {}): Assistant {
  return {
    reply: async (input) => match(index, input.message, { language: input.language, threshold: options.threshold }),
  };
}

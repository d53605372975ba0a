import { useCallback, useEffect, useState } from 'react';
import { ApiProblem } from '../api/client.ts';

/** Loads what a page shows; a newer load supersedes (and aborts) an older one. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setProblem(undefined);
    load(controller.signal).then(
      (value) => !controller.signal.aborted && setData(value),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
      },
    );
    return () => controller.abort();
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, problem, reload, setData };
}

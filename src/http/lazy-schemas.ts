/**
 * Route schemas compiled on their first use rather than at start-up (issue #19). Fastify
 * compiles each route's request validators (Ajv) and response serializers
 * (fast-json-stringify, one per status code) as the routes are registered: some 1,300
 * generated functions, whose source and code an idle server would hold (about 30 MB of
 * its resident memory, bench section 15), while an installation calls only some of its routes.
 *
 * Here each compile waits for the route's first request (a validator) or first answer
 * with that status (a serializer), and is then done once, by Fastify's own compilers with
 * the server's options: the same checks and the same errors, the cost moved to the first
 * use. Ajv itself is created at the first validator compiled.
 *
 * A schema that cannot compile would fail its route's first request (500) rather than
 * the start: compileDeferredSchemas(app) compiles every one, and a test runs it over the
 * whole API (test/api/route-schemas.test.ts).
 */
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
type Validator = ReturnType<ReturnType<ValidatorFactory>> & { errors?: unknown; schemaEnv?: unknown };

// The compilers Fastify uses when given none, taken from Fastify's own dependencies (the
// versions it was released with); Fastify does not export them. Loaded at the first compile.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const defaultValidators = () => (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)();
const defaultSerializers = () => (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)();

/** The compiles each app has deferred, for compileDeferredSchemas. */
const deferredOf = new WeakMap<FastifyInstance, (() => unknown)[]>();

export interface LazySchemas {
  /** For Fastify's `schemaController.compilersFactory`. */
  compilersFactory: CompilersFactory;
  /** Ties the deferred compiles to the app built with compilersFactory. */
  belongTo(app: FastifyInstance): void;
}

/**
 * @example
 * const schemas = lazySchemas();
 * const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
 * schemas.belongTo(app);
 */
export function lazySchemas(): LazySchemas {
  const deferred: (() => unknown)[] = [];
  // Once a factory per schema set and options, as Fastify's setup calls it; built when first needed.
  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compiler: ReturnType<ValidatorFactory> | undefined;
    return (route) => {
      const compiled = once(() => (compiler ??= defaultValidators()(externalSchemas, options))(route) as Validator);
      deferred.push(compiled);
      return deferredValidator(compiled);
    };
  };
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compiler: ReturnType<SerializerFactory> | undefined;
    return (route) => {
      const compiled = once(() => (compiler ??= defaultSerializers()(externalSchemas, options))(route));
      deferred.push(compiled);
      return (data: unknown) => compiled()(data);
    };
  };
  return { compilersFactory: { buildValidator, buildSerializer }, belongTo: (app) => deferredOf.set(app, deferred) };
}

/** Compiles every schema `app` has deferred so far; throws the first compile error. Returns how many. */
export function compileDeferredSchemas(app: FastifyInstance): number {
  const deferred = deferredOf.get(app) ?? [];
  for (const compiled of deferred) compiled();
  return deferred.length;
}

/**
 * A validator that compiles at its first call. Fastify reads `schemaEnv` (an Ajv validator
 * is called with its parent data, so that it may set defaults on the root) and `errors`
 * from the function it was given: both are the compiled validator's.
 */
function deferredValidator(compiled: () => Validator): Validator {
  const validate = ((data: unknown, dataCxt?: unknown) => (compiled() as (data: unknown, dataCxt?: unknown) => unknown)(data, dataCxt)) as Validator;
  return Object.defineProperties(validate, {
    errors: { get: () => compiled().errors },
    schemaEnv: { get: () => compiled().schemaEnv },
  });
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

// PostGraphile 5.1 (grafast, @dataplan/pg, grafserv) calls Promise.withResolvers, which Node 22 has and the
// Node 20 this project runs on has not; without it every query fails with "Cannot read properties of
// undefined (reading 'items')". Imported first by bench/servers/postgraphile.ts only.

interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseConstructor = Promise as PromiseConstructor & { withResolvers?: <T>() => WithResolvers<T> };

if (typeof promiseConstructor.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): WithResolvers<T> {
      let resolve: WithResolvers<T>["resolve"] = () => {};
      let reject: WithResolvers<T>["reject"] = () => {};
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

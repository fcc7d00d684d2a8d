package io.parley.bench;

/** One kind of run. Implementations read their options in the constructor, so typos fail before any load. */
interface Scenario {
  Report run(BenchContext ctx) throws Exception;
}

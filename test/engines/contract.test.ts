// Every registered engine on the contract's tiny tables (test/support/contract-suite.ts): the same hand-computed
// answers for every plan node, expression kind and NULL rule, whatever the engine models. Engines' own files add what
// is theirs (explain, versions, options); ClickHouse's also runs the suite with MergeTree tables and on a server.
import { describe } from 'node:test';
import { ENGINES } from '../../engines/registry.ts';
import { contractSuite } from '../support/contract-suite.ts';

for (const descriptor of ENGINES) {
  describe(descriptor.name, () => {
    contractSuite(`${descriptor.name} engine`, descriptor);
  });
}

// Seeded randomness for tests: the same generator the demo store uses.
export { mulberry32 } from '../../src/main/host/seededRandom'

/**
 * jsdom lays nothing out and has no ResizeObserver. Nothing there ever resizes, so a stub
 * that observes and never reports is faithful; components measure once when they mount.
 */
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver

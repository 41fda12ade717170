/** Fixtures are imported as text with Vite's `?raw` suffix (vitest), so tests need no file system. */
declare module '*?raw' {
  const text: string
  export default text
}

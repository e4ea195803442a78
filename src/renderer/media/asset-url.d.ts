/** Vite's `?url` imports: the built, hashed URL of a file shipped with the renderer (same origin). */
declare module '*?url' {
  const url: string;
  export default url;
}

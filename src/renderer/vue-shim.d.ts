// For plain TypeScript (eslint's type service); vue-tsc resolves the real .vue files first.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}

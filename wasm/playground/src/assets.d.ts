// Example texts are bundled as strings (esbuild's text loader).
declare module "*.yaml" {
  const text: string;
  export default text;
}
declare module "*.json" {
  const text: string;
  export default text;
}
declare module "*.tf" {
  const text: string;
  export default text;
}

// Package lists imported as text (`import x from "./general/debs.txt" with { type: "text" }`).
declare module "*.txt" {
  const text: string;
  export default text;
}

// Bash sources imported as text (`import x from "./file.sh" with { type: "text" }`).
declare module "*.sh" {
  const text: string;
  export default text;
}

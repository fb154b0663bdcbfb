// Scripts of $TOP_DIR/tools imported as text (`import x from "./tools/x.py" with { type: "text" }`).
declare module "*.py" {
  const text: string;
  export default text;
}

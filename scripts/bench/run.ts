// `npm run bench`: every benchmark in this directory (today: the re-stack one).
import "./restack.ts";

/**
 * What the parsing plugin shares with plugins that declare it in `pluginDependencies`
 * (package export `@visage/parsing`): the shape of `deps.parsing.data` and its colour render.
 */
export { PARSING_CLASSES, PARSING_LABEL, PARSING_PALETTE, type ParsingMap, type ParsingClass } from './classes.ts';
export { renderParsing, type RenderParsingOptions } from './render-parsing.ts';

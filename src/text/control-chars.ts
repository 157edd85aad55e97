// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g
/** C0 but tab and line feed, DEL, and C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** Terminal escape sequences removed: colours, cursor moves, the erase-line of progress bars. */
export function stripEscapes(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '')
}

/**
 * Text from a terminal, a serial console or a guest, made safe to show: escape sequences and every
 * control character but tab and line feed dropped.
 */
export function dropControl(text: string): string {
  return stripEscapes(text).replace(CONTROL, '')
}

/** The same, on one line: tabs and line feeds become spaces. */
export function oneLine(text: string): string {
  return dropControl(text).replace(/[\t\n]/g, ' ')
}

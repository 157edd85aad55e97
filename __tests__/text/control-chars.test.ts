import { describe, expect, it } from '@jest/globals'
import { dropControl, oneLine, stripEscapes } from '../../src/text/control-chars.js'

describe('control characters in text from terminals, consoles and guests', () => {
  const console =
    '\u001b[0m\u001b[?25l[  OK  ] Started \u001b[1;39mssh\u001b[0m.\r\n\u0007boot\u0085 done\tok\n'

  it('escape sequences go whole, with their parameters', () => {
    expect(stripEscapes(console)).toBe('[  OK  ] Started ssh.\r\n\u0007boot\u0085 done\tok\n')
  })

  it('every other control character goes too, but tab and line feed', () => {
    expect(dropControl(console)).toBe('[  OK  ] Started ssh.\nboot done\tok\n')
  })

  it('on one line, tab and line feed become spaces', () => {
    expect(oneLine(console)).toBe('[  OK  ] Started ssh. boot done ok ')
  })
})

import { describe, expect, it } from '@jest/globals'
import { errorMessage } from '../../src/text/error-message.js'

describe('errorMessage', () => {
  it("is an Error's message, and anything else thrown as a string", () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input')
    expect(errorMessage('a string thrown')).toBe('a string thrown')
    expect(errorMessage(42)).toBe('42')
    expect(errorMessage(undefined)).toBe('undefined')
  })
})

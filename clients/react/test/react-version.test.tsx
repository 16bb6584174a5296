/** Guards the two runs: each project really renders with the React it is named after. */
import { useState, version } from "react";
import { version as domVersion } from "react-dom";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

const major = process.env.ATLAS_TEST_REACT_MAJOR;

function Counter() {
  const [n] = useState(41);
  return <output>{n + 1}</output>;
}

describe(`React ${major}`, () => {
  it("is the React and react-dom this project is named after", () => {
    expect(major).toMatch(/^1[89]$/);
    expect(version.split(".")[0]).toBe(major);
    expect(domVersion.split(".")[0]).toBe(major);
  });

  it("renders hooks and JSX through that single copy of React", () => {
    expect(renderToStaticMarkup(<Counter />)).toBe("<output>42</output>");
  });
});

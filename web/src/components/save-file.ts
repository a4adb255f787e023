/** Saves a Blob as a file, as the browser's own download would (nothing leaves the page, no URL holds the content). */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by then; the object URL only needs to live until it has.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

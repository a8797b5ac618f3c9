import { useRef, useState } from 'react'
import type { DragEvent, ReactNode } from 'react'
import { DROP_NEEDS_DESKTOP_APP } from '../state/createInspector'
import { useAppState, useInspector } from '../state/InspectorContext'

/** carriesFiles tells a drag of files from one of text or links, which is left alone. */
function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer.types.includes('Files')
}

/**
 * FolderDropTarget takes a store folder dropped anywhere on the window. While files are
 * dragged over, it covers the window with a drop target saying what a drop will do; the
 * page never navigates to a dropped file, in Electron or in a browser.
 */
export function FolderDropTarget({ children }: { children: ReactNode }) {
  const inspector = useInspector()
  const bridge = useAppState((state) => state.session.bridge)
  const [dragging, setDragging] = useState(false)
  // dragenter and dragleave fire for every element crossed; inside while entries > leaves.
  const depth = useRef(0)

  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    depth.current += 1
    setDragging(true)
  }
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }
  const onDragLeave = (event: DragEvent) => {
    if (!carriesFiles(event)) return
    depth.current = Math.max(0, depth.current - 1)
    if (depth.current === 0) setDragging(false)
  }
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return
    event.preventDefault()
    depth.current = 0
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file !== undefined) inspector.openDroppedFolder(file)
  }

  return (
    <div
      className="folder-drop"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {children}
      {dragging && (
        <div className="folder-drop__target" role="status">
          {bridge === 'electron' ? (
            <p className="folder-drop__title">Drop a store folder to open it</p>
          ) : (
            <>
              <p className="folder-drop__title">Dropped folders cannot be opened here</p>
              <p>{DROP_NEEDS_DESKTOP_APP}</p>
            </>
          )}
        </div>
      )}
    </div>
  )
}

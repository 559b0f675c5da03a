// Package devtmpfs is the file system of /dev: a tmpfs instance that
// holds a node for every character device the drivers registered
// (fs.RegisterChrdev). Every mount of it shows the same instance, as in
// Linux.
//
// Mirrors drivers/base/devtmpfs.c. Differs: Linux's kdevtmpfs thread
// creates and removes nodes as devices come and go; Tamix's devices are
// all registered before the first mount, which creates their nodes.
package devtmpfs

import (
	"sync"

	"tamix/fs"
	"tamix/fs/tmpfs"
)

// FSType is devtmpfs's file_system_type.
var FSType = &fs.FileSystemType{Name: "devtmpfs"}

// The one instance, made by the first mount; protected by once.
var (
	once     sync.Once
	instance *fs.SuperBlock
	made     error
)

func init() {
	FSType.Mount = mount
	fs.RegisterFilesystem(FSType)
}

// mount returns the instance, making it and its nodes the first time
// (devtmpfs_init() + devtmpfs_create_node() for each device). The mount
// options are ignored, as Linux ignores them after the first mount.
func mount(data string) (*fs.SuperBlock, error) {
	once.Do(func() {
		sb, err := tmpfs.NewSuperBlock("mode=0755,size=1m")
		if err != nil {
			made = err
			return
		}
		sb.Type = FSType
		root := fs.Path{Mnt: &fs.Mount{SB: sb, Root: sb.Root}, Dentry: sb.Root}
		root.Mnt.Parent, root.Mnt.Mountpoint = root.Mnt, sb.Root
		for _, c := range fs.Chrdevs() {
			if err := fs.Mknod(root, root, c.Name, fs.S_IFCHR|c.Mode, c.Dev); err != nil {
				made = err
				return
			}
		}
		instance = sb
	})
	return instance, made
}
